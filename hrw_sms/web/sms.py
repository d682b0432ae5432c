"""POST /sms: Twilio's messaging webhook.

`answer` is the whole webhook on a checked form, with no Flask request: POST /sms is served
by hrw_sms.web.sms_endpoint ahead of Flask's routing (the hot path, README "Benchmarks");
the Flask view below runs the same code and keeps /sms in the app's url_map."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from contextlib import suppress
from functools import lru_cache

import redis
from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from flows import peer as peer_flow
from flows.keywords import Command, parse
from flows.render_sms import render
from flows.replies import Text
from hrw_sms.base.phone import BadNumber, is_plain_number, mask, to_e164
from hrw_sms.handlers import arrival, peer, throttle
from hrw_sms.handlers.arrival import Outcome
from hrw_sms.handlers.conversations import handle_held, handle_text
from hrw_sms.handlers.services import Services
from hrw_sms.store import usage
from hrw_sms.web.webhooks import check_request

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)

MAX_BODY = 1600  # Twilio's own limit for a message body
# A sender address with a channel prefix: "whatsapp:+14135550123", "messenger:1234567890".
CHANNEL = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)


XML = "text/xml"
PLAIN = "text/plain"


def twiml_xml(texts: list[str]) -> str:
    """A TwiML <Response> with one <Message> per non-empty text (Twilio, "TwiML for
    Programmable Messaging"), as the XML document."""
    reply = MessagingResponse()
    for text in texts:
        if text:
            reply.message(text)
    return str(reply)


def twiml(texts: list[str]) -> Response:
    """twiml_xml as a Flask response (text/xml)."""
    return Response(twiml_xml(texts), mimetype=XML)


def fallback_text(services: Services, body: str = "") -> str:
    """The apology sent when a text could not be handled (Redis down, a fault). Someone who
    asked for a person (TALK, HABLAR) also reads that this is not an emergency service, with
    911 and 988 (and HRW_CRISIS_LINE), in their language: they may need it now."""
    command = parse(body)
    language = "es" if command.spanish else "en"
    said = render((Text("fallback"),), language, services.clock(), services.settings.help_contact)
    if command.word == "TALK":
        said += "\n" + peer_flow.safety(language, services.settings.crisis_line)
    return said


def plain_number(address: str | None) -> str | None:
    """The E.164 number in a sender or recipient address (channel prefix dropped), or None."""
    match = CHANNEL.fullmatch(address or "")
    try:
        return to_e164(match.group(2) if match else (address or ""))
    except BadNumber:
        return None


def is_line_number(number: str | None, to: str | None, services: Services) -> bool:
    """True when `number` is the line's own: the number texted (To) or the one it sends from."""
    if number is None:
        return False
    return number in (_line_address(to), services.settings.twilio_from_number)


@lru_cache(maxsize=16)  # To is one of the line's own few numbers: parsed once each, not per text
def _line_address(to: str | None) -> str | None:
    return plain_number(to)


def channel_reply(services: Services, address: str, body: str, sid: str | None) -> list[str]:
    """A sender on another channel (WhatsApp, Messenger...) is told, in English and Spanish,
    that the line works by ordinary text. Nothing about it is read or kept: not the session,
    roles or subscriptions of the plain number inside its address, which may be someone
    else's. Only the throttle counts it (under the id of the whole address, expiring), so
    two automatic repliers cannot loop through this answer either."""
    command = parse(body)
    if throttle.kind_of(command) is throttle.Kind.CARRIER:
        return []  # an opt-out word never gets an answer it did not ask for
    address = address.strip()
    prefixed = CHANNEL.fullmatch(address)
    if prefixed is not None:
        scheme, rest = prefixed.group(1).lower(), prefixed.group(2)
        throttle_id = f"{scheme}:{rest}"
    else:  # letters without a colon, look-alike or invisible characters: not a number
        scheme, rest = "non-number", address
        throttle_id = f"other:{address}"
    decision = throttle.check_text(services, throttle_id, body, sid, command)
    if decision.verdict is not throttle.Verdict.ANSWER:
        return []
    now, contact = services.clock(), services.settings.help_contact
    log.info("text from a %s sender %s: told to use ordinary texts", scheme, mask(rest))
    return [
        render((Text("channel_only"),), "en", now, contact)
        + "\n\n"
        + render((Text("channel_only"),), "es", now, contact)
    ]


def number_reply(services: Services, number: str, body: str, sid: str | None) -> list[str]:
    """The replies to a text from a plain number, within the number's budget.

    Most texts take one round trip before the flow (hrw_sms.handlers.arrival); the peer
    line's (a relay under way, an ask, an offer, TALK, TAKE) take the peer line's path."""
    command = parse(body)
    if not peer.may_concern(body, command):
        arrived = arrival.arrive(services, number, body, sid, command)
        match arrived.outcome:
            case Outcome.GO:
                assert arrived.conversation is not None
                conversation, found = arrived.conversation, arrived.found
                return handle_held(services, conversation, number, body, command, found)
            case Outcome.SILENT:
                return []
            case Outcome.NOTICE:
                assert arrived.decision is not None
                return [_throttled(services, arrived.decision, command)]
            case Outcome.DUPLICATE:
                log.info("duplicate delivery of a text from %s ignored", mask(number))
                return []
            case Outcome.BUSY:  # counted already: wait for the number's previous text
                return handle_text(services, number, body, sid, command)
    return peer_line_reply(services, number, body, sid, command)


def _throttled(services: Services, decision: throttle.Decision, command: Command) -> str:
    language = decision.language or ("es" if command.spanish else "en")
    return render((Text("throttled"),), language, services.clock(), None)


def peer_line_reply(
    services: Services, number: str, body: str, sid: str | None, command: Command
) -> list[str]:
    """number_reply for a text the peer line may concern, step by step: a live conversation
    first (never counted against the budget), then the budget, then an ask, TALK or TAKE,
    then the participant flow."""
    # A live peer-line conversation first: a person texting a person, never a loop to
    # silence (20 short texts in 5 minutes is an ordinary talk).
    found = peer.lookup(services, number)
    if peer.in_conversation(found):
        relayed = peer.intercept(services, number, body, command, sid, found)
        if relayed is not None:
            with suppress(redis.RedisError, OSError):
                usage.count_text(services.redis, services.clock(), command.word)
            return relayed
    decision = throttle.check_text(services, number, body, sid, command)
    answered = decision.verdict is throttle.Verdict.ANSWER
    # Counts only, never who (the console's Usage page); a throttled text asked for nothing.
    with suppress(redis.RedisError, OSError):  # a lost count never costs the sender a reply
        usage.count_text(services.redis, services.clock(), command.word if answered else None)
    if decision.verdict is throttle.Verdict.SILENT:
        return []
    if decision.verdict is throttle.Verdict.NOTICE:
        return [_throttled(services, decision, command)]
    relayed = peer.intercept(services, number, body, command, sid, found)  # an ask, TALK, TAKE
    if relayed is not None:
        return relayed
    return handle_text(services, number, body, sid, command)


def answer(services: Services, form: Mapping[str, str]) -> tuple[int, str, str]:
    """The answer to a webhook whose content type and signature were checked
    (hrw_sms.web.webhooks.check_form and check_signature), from its form: (status,
    mimetype, body). 400 on a malformed From, else 200 with TwiML replies; never a 5xx (a
    crash gets the fallback)."""
    address = form.get("From", "")
    # Only a plain phone number is served as one: anything else that carries an address (a
    # channel prefix, letters with no colon, full-width or invisible characters around a
    # number) must not inherit the roles, session or opt-outs of the plain number
    # phonenumbers would read inside it. Words with no number and no colon stay a 400.
    channel = not is_plain_number(address) and (":" in address or any(c.isdigit() for c in address))
    if not channel:
        try:
            number: str | None = to_e164(address)
        except BadNumber as exc:
            return 400, PLAIN, f"From: {exc}\n"
    else:
        number = plain_number(address)
    if is_line_number(number, form.get("To"), services):
        # Our own texts coming back (a forward, a misrouted number): answering would loop.
        log.info("text from the line's own number %s: not answered", mask(number))
        return 200, XML, twiml_xml([])
    body = form.get("Body", "")[:MAX_BODY]
    sid = form.get("MessageSid")
    try:
        if channel:
            texts = channel_reply(services, address, body, sid)
        else:
            texts = number_reply(services, number, body, sid)  # type: ignore[arg-type]
    except Exception:
        # Never a 5xx to Twilio: a short apology with the menu words and a way to a person.
        log.exception("could not handle a text; sent the fallback reply")
        texts = [fallback_text(services, body)]
    return 200, XML, twiml_xml(texts)


@bp.post("/sms")
def sms() -> Response:
    """POST /sms through Flask (the endpoint ahead of Flask serves it first: same checks,
    same `answer`): 400 not a form or a malformed From, 403 on a bad signature, else TwiML."""
    services: Services = current_app.extensions["hrw"]
    problem = check_request(request, services.settings)
    if problem is not None:
        return problem
    status, mimetype, body = answer(services, request.form)
    return Response(body, status=status, mimetype=mimetype)
