"""One pure step per inbound text: the one place that composes the flows.

step(session, text, context) -> Step(new session, replies, effects). Opt-outs and the
language come first; then each role's flow (coordinator, host) may claim the text; the
participant flow answers the rest. The role flows never import the participant flow.
"""

from __future__ import annotations

from collections.abc import Callable

from flows import coordinator, host, participant
from flows import effects as fx
from flows.context import Context
from flows.keywords import Command, parse
from flows.pending import ConfirmForget
from flows.replies import Text
from flows.session import Session
from flows.step import Step

# Each returns a Step when the text is its role's business, else None.
ROLE_STEPS: tuple[Callable[[Session, Command, Context], Step | None], ...] = (
    coordinator.step,
    host.step,
)


def step(session: Session, text: str, ctx: Context, command: Command | None = None) -> Step:
    """One inbound text (or a caller's voice choice, as text) -> Step; pure, no I/O.
    `command` is parse(text) when the caller has it already."""
    command = parse(text) if command is None else command
    if ctx.caller.opted_out:
        return participant.while_opted_out(session, command)
    if command.word == "OPTOUT":
        return participant.opt_out(session, command)
    if (
        command.spanish
        and ctx.caller.language is None
        and session.language != "es"
        # A first Spanish word, or a Spanish text we could not read: answer in Spanish.
        and (not session.listed or command.word in ("UNKNOWN", "OPTOUT_HINT"))
    ):
        session = session.with_(language="es")
    if isinstance(session.pending, ConfirmForget):
        if command.word == "YES":
            return Step(None, (Text("forget_done"),), (fx.Forget(),))
        # Anything else keeps everything, and says so; a real command is answered too.
        return participant.forget_kept(command, _answer(session.with_(pending=None), command, ctx))
    return _answer(session, command, ctx)


def _answer(session: Session, command: Command, ctx: Context) -> Step:
    for role_step in ROLE_STEPS:  # hosts' and coordinators' words come before everyone's
        result = role_step(session, command, ctx)
        if result is not None:
            return result
    return participant.answer(session, command, ctx)
