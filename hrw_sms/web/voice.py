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
from twilio.twiml.voice_response import Gather, VoiceResponse

from flows import render_voice as rv
from flows.model import Language
from flows.voice import Position
from hrw_sms.base.config import Settings
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
