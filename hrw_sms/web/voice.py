"""POST /voice and /voice/<menu>: Twilio's voice webhook, as TwiML menus.

The first answer greets the caller and offers the main menu; each menu is a <Gather> whose
action is /voice/<menu>?lang=..&.. (where the call is), followed by a <Redirect> to the same
URL, which Twilio follows when nothing was pressed or said: that is how silence is heard.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from urllib.parse import urlencode

import redis
from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from flows import render_voice as rv
from flows.model import Language
from flows.voice import Position
from hrw_sms.base.config import Settings
from hrw_sms.base.phone import BadNumber, to_e164
from hrw_sms.handlers import peer
from hrw_sms.handlers.calls import CALL_SID, handle, identify
from hrw_sms.handlers.services import Services
from hrw_sms.store import usage
from hrw_sms.web.webhooks import check_request, reject

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)

GATHER_TIMEOUT = 6  # seconds of silence before Twilio gives up on a menu
MAX_SPEECH = 200  # characters of a speech result we look at


def action_url(settings: Settings, position: Position) -> str:
    """Where a menu's answer goes. Absolute under HRW_PUBLIC_URL, so it is what gets signed."""
    return f"{settings.public_url or ''}/voice/{position.menu}?{urlencode(position.params())}"


def voice_of(settings: Settings, language: Language) -> str:
    """The Twilio <Say> voice configured for `language` (HRW_VOICE_EN / HRW_VOICE_ES)."""
    return settings.voice_es if language == "es" else settings.voice_en


def speaks_ssml(voice: str) -> bool:
    """Twilio passes SSML such as <lang> to Amazon Polly and Google voices only."""
    return voice.startswith(("Polly.", "Google."))


def say(target: VoiceResponse | Gather, speech: rv.Speech, voice: str) -> None:
    """One <Say>; words of another language (an English meeting's name on the Spanish line)
    inside <lang xml:lang="..."> where the voice reads SSML, so it says them in theirs."""
    language = rv.language_tag(speech.language)
    if not speech.parts or not speaks_ssml(voice):
        target.say(speech.text, voice=voice, language=language)
        return
    element = target.say(voice=voice, language=language)
    for part in speech.parts:  # adjacent parts differ in language: text and <lang> alternate
        if part.language == speech.language:
            element.nest(part.text)
        else:
            element.lang(part.text, xml_lang=rv.language_tag(part.language))


def twiml(turn: rv.Turn, settings: Settings) -> Response:
    """A Turn as TwiML: everything said inside the <Gather>, so a key can cut it short."""
    response = VoiceResponse()
    target: VoiceResponse | Gather = response
    url = ""
    if turn.listen is not None:
        position = turn.listen.position
        url = action_url(settings, position)
        options = {"finish_on_key": "#"} if turn.listen.digits > 1 else {}
        target = Gather(
            input="dtmf speech",
            action=url,
            method="POST",
            num_digits=turn.listen.digits,
            timeout=GATHER_TIMEOUT,
            speech_timeout="auto",
            language=rv.language_tag(position.language),
            hints=turn.listen.hints,
            **options,
        )
    for speech in turn.says:
        say(target, speech, voice_of(settings, speech.language))
    if turn.listen is not None:
        response.append(target)
        response.redirect(url, method="POST")  # nothing pressed or said
    else:
        response.hangup()
    return Response(str(response), mimetype="text/xml")


def _services() -> Services:
    return current_app.extensions["hrw"]


def _answer(menu: str | None) -> Response:
    services = _services()
    problem = check_request(request, services.settings)
    if problem is not None:
        return problem
    position = Position.parse(menu or "main", request.args)
    call_sid, caller = request.form.get("CallSid", ""), request.form.get("From")
    if not CALL_SID.fullmatch(call_sid):
        return reject(400, "CallSid: missing or malformed")
    try:
        if menu is None:
            turn = rv.greeting()  # needs nothing from the store
        else:
            party = identify(services, call_sid, caller)
            digits = request.form.get("Digits", "")[:16]
            speech = request.form.get("SpeechResult", "")[:MAX_SPEECH]
            turn = handle(services, party, position, digits, speech)
        if isinstance(turn, rv.Ring):
            return ring(turn, request.form.get("To"), services.settings)
        return twiml(turn, services.settings)
    except Exception:
        # Never a 5xx to Twilio: a short apology, the help line, and goodbye.
        log.exception("could not handle a call; said the apology")
        apology = rv.apology(position.language, services.settings.help_contact)
        return twiml(apology, services.settings)


@bp.post("/voice")
def call() -> Response:
    """The first answer to a call."""
    answer = _answer(None)
    services: Services = current_app.extensions["hrw"]
    # The console's Usage page; a count lost to a Redis fault never costs the caller an answer.
    with suppress(redis.RedisError, OSError):
        usage.count(services.redis, services.clock(), "calls")
    return answer


@bp.post("/voice/<menu>")
def menu(menu: str) -> Response:
    """An answer to a menu, or the silence after it."""
    return _answer(menu)


# --- the peer line: ring the volunteers on shift, each screened by a whisper ---

DIAL_TIMEOUT = 25  # seconds the volunteers' phones ring (README "The peer line": within 30 s)
WHISPER_TIMEOUT = 8  # seconds a volunteer has to press 1 after the whisper


def peer_url(settings: Settings, step: str, language: Language) -> str:
    """The absolute URL of the peer-line voice webhook `step`, carrying the caller's language."""
    return f"{settings.public_url or ''}/voice/peer/{step}?{urlencode({'lang': language})}"


def ring(turn: rv.Ring, to: str | None, settings: Settings) -> Response:
    """<Say> what the caller hears, then one <Dial> ringing every number at once, each with
    a whisper (<Number url>) so only a volunteer who presses 1 is put through: a voicemail
    never takes the call. The caller ID they see is the line's own number (the call's To)."""
    try:
        line = to_e164(to or "")
    except BadNumber:
        line = settings.twilio_from_number or ""
    language = turn.position.language
    response = VoiceResponse()
    for speech in turn.says:
        say(response, speech, voice_of(settings, speech.language))
    dial = Dial(
        caller_id=line or None,
        timeout=DIAL_TIMEOUT,
        action=peer_url(settings, "after", language),
        method="POST",
    )
    for i, number in enumerate(turn.numbers):
        heard_in = turn.whispers[i] if i < len(turn.whispers) else "en"
        dial.number(number, url=peer_url(settings, "whisper", heard_in), method="POST")
    response.append(dial)
    return Response(str(response), mimetype="text/xml")


def _xml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _hang_up() -> Response:
    response = VoiceResponse()
    response.hangup()
    return _xml(response)


def _language_arg() -> Language:
    return "es" if request.args.get("lang") == "es" else "en"


@bp.post("/voice/peer/whisper")
def peer_whisper() -> Response:
    """A volunteer answered: say whose call it is and wait for a 1. Anything else, or
    silence (a voicemail greeting), hangs up their leg: the caller keeps ringing the others."""
    services = _services()
    problem = check_request(request, services.settings)
    if problem is not None:
        return problem
    language = _language_arg()
    response = VoiceResponse()
    gather = Gather(
        input="dtmf",
        num_digits=1,
        timeout=WHISPER_TIMEOUT,
        action=peer_url(services.settings, "take", language),
        method="POST",
    )
    for speech in rv.whisper(language):
        say(gather, speech, voice_of(services.settings, language))
    response.append(gather)
    response.hangup()
    return _xml(response)


@bp.post("/voice/peer/take")
def peer_take() -> Response:
    """A volunteer pressed a key. Only a 1 from the first volunteer connects (an empty
    answer ends the whisper and Twilio bridges the call); a later 1 hears it was taken."""
    services = _services()
    problem = check_request(request, services.settings)
    if problem is not None:
        return problem
    parent = request.form.get("ParentCallSid", "")
    if request.form.get("Digits") != "1" or not CALL_SID.fullmatch(parent):
        return _hang_up()
    language = _language_arg()
    response = VoiceResponse()
    try:
        won = peer.take_call(services, parent, request.form.get("To"))
    except Exception:
        log.exception("could not claim a peer-line call; the volunteer's leg hangs up")
        return _hang_up()
    if not won:
        for speech in rv.peer_taken(language):
            say(response, speech, voice_of(services.settings, language))
        response.hangup()
        return _xml(response)
    for speech in rv.peer_connect(language):
        say(response, speech, voice_of(services.settings, language))
    return _xml(response)


@bp.post("/voice/peer/after")
def peer_after() -> Response:
    """The Dial is over (DialCallStatus): counted; if nobody took the call, the caller hears
    to try again in a few minutes (someone is on shift) or when the next shift starts (no
    one is), and the main menu again."""
    services = _services()
    problem = check_request(request, services.settings)
    if problem is not None:
        return problem
    position = Position("main", _language_arg())
    call_sid = request.form.get("CallSid", "")
    if not CALL_SID.fullmatch(call_sid):
        return reject(400, "CallSid: missing or malformed")
    status = request.form.get("DialCallStatus", "")[:32]
    try:
        turn = peer.call_ended(services, call_sid, status, position)
    except Exception:
        log.exception("could not finish a peer-line call; said the apology")
        turn = rv.apology(position.language, services.settings.help_contact)
    if turn is None:
        return _hang_up()
    return twiml(turn, services.settings)
