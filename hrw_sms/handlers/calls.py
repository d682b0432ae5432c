"""Run one step of a call: choose, step the participant flow, save, apply, render.

The voice twin of hrw_sms.handlers.conversations. A call keeps its own participant session (keyed by
a hash of the CallSid), so it works for withheld numbers and never disturbs a conversation
the same number is having by text. "Text me" hands the texted list to that conversation,
so replying with a number by text picks from the list that was sent.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from flows import dispatch, voice
from flows import effects as fx
from flows import render_voice as rv
from flows.context import Context
from flows.render_sms import render as render_sms
from flows.session import Caller, Session
from hrw_sms.base.phone import BadNumber, is_plain_number, mask, to_e164
from hrw_sms.handlers import peer, throttle
from hrw_sms.handlers.conversations import number_lock, save_session
from hrw_sms.handlers.effects import apply_effects
from hrw_sms.handlers.services import Services
from hrw_sms.store import keys, optouts, subscriptions

log = logging.getLogger(__name__)

# What Twilio puts in From when the caller's number is withheld: the words, and the same
# words spelled on a keypad (ANONYMOUS, RESTRICTED, UNAVAILABLE, BLOCKED, UNKNOWN, PRIVATE).
WITHHELD_WORDS = frozenset(
    {"anonymous", "restricted", "unavailable", "blocked", "unknown", "private", "withheld"}
)
WITHHELD_NUMBERS = frozenset(
    {"+266696687", "+7378742833", "+86282452253", "+2562533", "+8656696", "+7748283"}
)
CALL_SID = re.compile(r"[A-Za-z0-9]{1,64}")


class BadCall(ValueError):
    """A request that cannot be a Twilio call webhook."""


@dataclass(frozen=True)
class Party:
    """Who is on a call, as far as we may know."""

    call_id: str  # a keyed hash of the CallSid
    number: str | None  # E.164 when the caller's number is known and can take texts
    number_id: str | None


def textable(raw: str | None) -> str | None:
    """The caller's number in E.164, or None when it is withheld or not a phone number."""
    value = (raw or "").strip()
    if not value or value.lower() in WITHHELD_WORDS or not is_plain_number(value):
        return None
    try:
        number = to_e164(value)
    except BadNumber:
        return None
    return None if number in WITHHELD_NUMBERS else number


def identify(services: Services, call_sid: str | None, from_: str | None) -> Party:
    """Who is calling: the call's id (a keyed hash of the CallSid) and the caller's
    textable number and number id (None when withheld or not textable).
    Raises BadCall on a missing or malformed CallSid."""
    if not call_sid or not CALL_SID.fullmatch(call_sid):
        raise BadCall("CallSid: missing or malformed")
    number = textable(from_)
    return Party(
        call_id=services.number_id(f"call:{call_sid}"),
        number=number,
        number_id=services.number_id(number) if number else None,
    )


def load_session(services: Services, party: Party, language: str) -> Session:
    """The call's menu state (a fresh one in `language` when none is kept)."""
    raw = services.redis.get(keys.voice_session(party.call_id))
    return Session.from_json(raw, language)  # type: ignore[arg-type]


def save_call_session(services: Services, party: Party, session: Session) -> None:
    """Keep the call's menu state for keys.SESSION_TTL seconds."""
    services.redis.set(keys.voice_session(party.call_id), session.to_json(), ex=keys.SESSION_TTL)


def _caller(services: Services, party: Party) -> Caller:
    """What a call needs to know of the number: whether texts are off, and its reminders."""
    if party.number_id is None:
        return Caller()
    return Caller(
        opted_out=optouts.is_opted_out(services.redis, party.number_id),
        reminders=subscriptions.reminders_of(services.redis, party.number_id),
    )


def _context(services: Services, caller: Caller) -> Context:
    now = services.clock()
    directory = services.directory.load()
    # On a call the language is chosen on the call, texts being off does not silence it, and
    # only the participant flow runs (hosts and coordinators use texts).
    heard = Caller(reminders=caller.reminders)
    return Context(
        now,
        directory,
        services.timetable(directory, now),
        services.places,
        heard,
        services.settings.reminder_minutes,
    )


def handle(
    services: Services, party: Party, position: voice.Position, digits: str, speech: str
) -> rv.Turn | rv.Ring:
    """The answer to one menu answer (or silence) on a call."""
    choice = voice.choose(position, digits, speech)
    contact = services.settings.help_contact
    if isinstance(choice, voice.Goodbye):
        return rv.goodbye(position.language, choice.lead)
    if isinstance(choice, voice.Talk):  # the peer line (hrw_sms/handlers/peer.py)
        return peer.call_turn(services, choice.position)
    if isinstance(choice, voice.Ask):
        ctx_now, directory = services.clock(), services.directory.load()
        return rv.turn(choice.position, now=ctx_now, directory=directory, lead=choice.lead)
    caller = _caller(services, party)
    ctx = _context(services, caller)
    session = load_session(services, party, position.language)
    if isinstance(choice, voice.TextMe):
        lead = text_me(services, party, caller, ctx, session, choice)
        here = position.with_(language=session.language, quiet=0)
        return rv.turn(here, now=ctx.now, directory=ctx.directory, lead=lead)
    result = dispatch.step(voice.rewind(session, choice.rewind), choice.command, ctx)
    stepped = result.session or Session(language=session.language)
    stepped, next_position = voice.settle(position, stepped, result.replies)
    save_call_session(services, party, stepped)
    if party.number and party.number_id:
        # A call can only choose a language; nothing else it could ask for is applied.
        chosen = [e for e in result.effects if isinstance(e, fx.SetLanguage)]
        apply_effects(services, party.number, party.number_id, chosen)
    return rv.turn(
        next_position, result.replies, now=ctx.now, directory=ctx.directory, contact=contact
    )


def text_me(
    services: Services,
    party: Party,
    caller: Caller,
    ctx: Context,
    session: Session,
    choice: voice.TextMe,
) -> str:
    """Text the caller the list or details; the voice catalog key that says what happened."""
    if party.number is None or party.number_id is None:
        return "no_number"
    if caller.opted_out:
        return "texts_off"
    result = dispatch.step(voice.rewind(session, choice.rewind), choice.command, ctx)
    language = (result.session or session).language
    body = render_sms(result.replies, language, ctx.now, services.settings.help_contact)
    if not body:
        return "cannot_send"
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    message_id = f"voice:{party.call_id}:{choice.what}:{digest}"
    # Caller IDs can be spoofed: a per-number limit keeps calls from texting anyone without end.
    if not throttle.allow_action(services, "text_me", party.number, once=message_id):
        return "text_limit"
    if not services.send_later(party.number, body, message_id, kind="reply"):
        return "cannot_send"
    if result.session is not None:
        # Replying to the text with a number picks from the list that was sent.
        with number_lock(services.redis, party.number_id):
            texting = result.session.with_(pending=None)
            save_session(services.redis, party.number_id, texting, caller)
    log.info("call from %s: texted the %s", mask(party.number), choice.what)
    return "sent_list" if choice.what == "list" else "sent_details"
