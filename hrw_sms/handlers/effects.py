"""Apply the effects a flow step asked for: one handler per effect type.

What each effect means to the caller is written once, in flows.effects.caller_after; these
handlers are its application to Redis (tests/test_effects_meaning.py holds them to it)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, get_args

from flows import effects as fx
from hrw_sms.base.phone import mask
from hrw_sms.handlers import broadcasts, cancellations, erasure
from hrw_sms.store import hosts, optouts, prefs, subscriptions

if TYPE_CHECKING:
    from hrw_sms.handlers.services import Services

log = logging.getLogger(__name__)

Handler = Callable[["Services", str, str, Any], None]


class Stale(Exception):
    """An effect made from state that changed meanwhile (another host took the meeting first):
    nothing was applied; the conversation replays the text on the fresh state."""


def _set_language(services: Services, number: str, nid: str, effect: fx.SetLanguage) -> None:
    pipe = services.redis.pipeline(transaction=True)
    prefs.set_language(pipe, nid, effect.language)
    pipe.execute()


def _opt_out(services: Services, number: str, nid: str, effect: fx.OptOut) -> None:
    optouts.stop(services.redis, nid)  # the same as a 21610 from Twilio (workers/outbound.py)
    optouts.wait_for_sends(services.redis, nid)  # answered only once nothing more can go
    log.info("opt-out recorded for %s", mask(number))


def _opt_in(services: Services, number: str, nid: str, effect: fx.OptIn) -> None:
    optouts.opt_in(services.redis, nid)
    log.info("opt-in recorded for %s", mask(number))


def _forget(services: Services, number: str, nid: str, effect: fx.Forget) -> None:
    erased = erasure.erase(services.redis, number, nid, services.clock())
    log.info("erased what we kept about %s: %s", mask(number), erased)


def _subscribe(services: Services, number: str, nid: str, effect: fx.Subscribe) -> None:
    subscriptions.subscribe(services.redis, nid, number, effect.meeting)
    services.schedule_changed(effect.meeting)
    log.info("reminders on for %s (%s)", mask(number), effect.meeting)


def _unsubscribe(services: Services, number: str, nid: str, effect: fx.Unsubscribe) -> None:
    ended = subscriptions.unsubscribe(services.redis, nid, effect.meeting)
    optouts.wait_for_sends(services.redis, nid)  # answered only once nothing more can go
    log.info("reminders off for %s (%d meetings)", mask(number), len(ended))


def _start_broadcast(services: Services, number: str, nid: str, effect: fx.StartBroadcast) -> None:
    draft = broadcasts.prepare(services, effect.group, effect.text)
    broadcast_id = broadcasts.start(services, draft, actor=number, channel="sms")
    log.info("broadcast %d to %s started by %s", broadcast_id, effect.group, mask(number))


def _cancel_occurrence(
    services: Services, number: str, nid: str, effect: fx.CancelOccurrence
) -> None:
    try:
        chosen = cancellations.plan(services, effect.meeting, effect.occurrence.day)
        queued = cancellations.cancel(services, chosen, actor=number, channel="sms")
    except cancellations.Refused as exc:
        # The flow checked on the directory it was given; it changed since (another
        # coordinator cancelled first). Replayed, the flow answers with what happened.
        raise Stale(str(exc)) from exc
    log.info("%s on %s cancelled by %s; %d told", effect.meeting, effect.day, mask(number), queued)


def _answer_hosting(services: Services, number: str, nid: str, effect: fx.AnswerHosting) -> None:
    day = effect.occurrence.day
    if not hosts.answer(services.redis, nid, effect.meeting, day, effect.version, effect.to):
        raise Stale(f"hosting of {effect.meeting} on {effect.day} changed meanwhile")
    services.hosting_changed(effect.meeting, day)  # cover requests or thanks go out now
    log.info("%s on %s: %s by %s", effect.meeting, effect.day, effect.to, mask(number))


def _set_exercise(services: Services, number: str, nid: str, effect: fx.SetExercise) -> None:
    day = effect.occurrence.day
    hosts.set_exercise(services.redis, effect.meeting, day, effect.text, services.clock())
    log.info("exercise noted for %s on %s by %s", effect.meeting, effect.day, mask(number))


HANDLERS: dict[type, Handler] = {
    fx.SetLanguage: _set_language,
    fx.OptOut: _opt_out,
    fx.OptIn: _opt_in,
    fx.Forget: _forget,
    fx.Subscribe: _subscribe,
    fx.Unsubscribe: _unsubscribe,
    fx.AnswerHosting: _answer_hosting,
    fx.SetExercise: _set_exercise,
    fx.StartBroadcast: _start_broadcast,
    fx.CancelOccurrence: _cancel_occurrence,
}


# Every effect a step may return has its handler: a new effect without one fails at import,
# not on the first text that asks for it.
if set(HANDLERS) != set(get_args(fx.Effect)):
    raise ImportError(f"effects without a handler: {set(get_args(fx.Effect)) - set(HANDLERS)}")


def apply_effects(services: Services, number: str, nid: str, effects: Iterable[object]) -> None:
    """Apply a step's effects in order for the number (`nid`: its number id). Raises Stale
    when one met state changed since the step read it (nothing of that one was applied:
    the caller replays the step); Redis errors propagate."""
    for effect in effects:
        HANDLERS[type(effect)](services, number, nid, effect)
