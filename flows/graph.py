"""The flows' states and transitions, found by running the real step function.

Nothing here is drawn by hand: from a few starting points, every sample text is stepped
through `dispatch.step`, and each (state before, word, state after) seen is a transition.
So the diagram in the docs is whatever the code does."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable

from flows import effects as fx
from flows import voice
from flows.context import Context
from flows.dispatch import step
from flows.host import STATES as HOSTING_STATES
from flows.host import Actor, Event, next_state
from flows.pending import ChooseBroadcastGroup, ConfirmBroadcast, ConfirmCancel, ConfirmForget
from flows.session import Ask, Caller, CoordinatorView, HostView, Session

Transition = tuple[str, str, str]

# One sample text per word people use; the label is what the diagram shows.
PARTICIPANT_WORDS = (
    ("MEETINGS", "MEETINGS"), ("MORE", "MORE"), ("1", "NUMBER"), ("WELCOME", "WELCOME"),
    ("AGREEMENTS", "AGREEMENTS"), ("REMIND 1", "REMIND"), ("NOREMIND", "NOREMIND"),
    ("HELP", "HELP"), ("MENU", "MENU"), ("ESPANOL", "ESPANOL"), ("FORGET", "FORGET"),
    ("YES", "YES"), ("NO", "NO"), ("STOP", "STOP"), ("START", "START"), ("hello", "OTHER"),
)  # fmt: skip
COORDINATOR_WORDS = (
    ("BROADCAST Room 3 tonight", "BROADCAST"), ("CANCEL 1", "CANCEL"), ("STATUS", "STATUS"),
    ("MEETINGS", "MEETINGS"), ("1", "NUMBER"), ("YES", "YES"), ("NO", "NO"), ("hello", "OTHER"),
)  # fmt: skip


def conversation_state(session: Session | None, caller: Caller) -> str:
    """A name for where a conversation stands."""
    if caller.opted_out:
        return "opted-out"
    if session is None:
        return "start"
    named = {
        ConfirmForget: "confirming-forget",
        ChooseBroadcastGroup: "choosing-group",
        ConfirmBroadcast: "confirming-broadcast",
        ConfirmCancel: "confirming-cancel",
    }
    if session.pending is not None:
        return named[type(session.pending)]
    if session.viewed:
        return "viewing-meeting"
    if session.listed:
        return "browsing-list"
    return "start"


def explore(
    ctx_for: Callable[[Caller], Context], caller: Caller, words: tuple[tuple[str, str], ...]
) -> set[Transition]:
    """Breadth-first over conversation states, keeping the first example of each state."""
    seen: set[str] = set()
    found: set[Transition] = set()
    start = (Session(), caller)
    queue = deque([start])
    while queue:
        session, who = queue.popleft()
        here = conversation_state(session, who)
        if here in seen:
            continue
        seen.add(here)
        for sample, label in words:
            result = step(session, sample, ctx_for(who))
            after = fx.callers_after(who, result.effects)
            there = conversation_state(result.session, after)
            found.add((here, label, there))
            queue.append((result.session or Session(), after))
    return found


def hosting_transitions(ctx_for: Callable[[Caller], Context], meeting: str) -> set[Transition]:
    """What a host's YES or NO does to an occurrence's hosting state."""
    ctx = ctx_for(Caller())
    occurrence = next(o for o in ctx.timetable.upcoming(ctx.now) if o.meeting.slug == meeting)
    found: set[Transition] = set()
    for state in HOSTING_STATES:
        for cover, mine in ((False, False), (True, False), (True, True)):
            ask = Ask(meeting, occurrence.local_date, cover, state, 1, mine)
            who = Caller(host=HostView(groups=(occurrence.meeting.group or "",), ask=ask))
            for word in ("YES", "NO"):
                result = step(Session(), word, ctx_for(who))
                moves = [e for e in result.effects if isinstance(e, fx.AnswerHosting)]
                role = "covering host" if cover else "assigned host"
                for move in moves:
                    found.add((f"hosting:{state}", f"{word} ({role})", f"hosting:{move.to}"))
    # What no text causes: the deadline and a covering host leaving, straight from the rules.
    for state in HOSTING_STATES:
        for actor, event in ((Actor.CLOCK, Event.DEADLINE), (Actor.ROSTER, Event.UNCOVER)):
            found_move = next_state(state, actor, event)
            if found_move is not None:
                label = "deadline, no answer" if event == Event.DEADLINE else "cover removed"
                found.add((f"hosting:{state}", label, f"hosting:{found_move.to}"))
        # A coordinator may clear the host from any state: the record leaves the roster.
        found.add((f"hosting:{state}", "host cleared", "hosting:none"))
    return found


def all_transitions(
    ctx_for: Callable[[Caller], Context], coordinator_groups: tuple[str, ...], host_meeting: str
) -> dict[str, set[Transition]]:
    """Every flow's transitions by name (participant, coordinator, host, voice), found
    by stepping the real flows on contexts made by `ctx_for`."""
    coordinator = Caller(
        coordinator=CoordinatorView(coordinator_groups, {g: 3 for g in coordinator_groups})
    )
    return {
        "participant": explore(ctx_for, Caller(), PARTICIPANT_WORDS),
        "coordinator": explore(ctx_for, coordinator, COORDINATOR_WORDS),
        "host": hosting_transitions(ctx_for, host_meeting),
        "voice": {(f"voice:{a}", key, f"voice:{b}") for a, key, b in voice.transitions()},
    }


def lines(transitions: set[Transition]) -> list[str]:
    """One "state --word--> state" line per transition, sorted."""
    return [f"{a} --{w}--> {b}" for a, w, b in sorted(transitions)]


def mermaid(flows: dict[str, set[Transition]]) -> str:
    """Markdown with a Mermaid state diagram per flow. Words that leave the state as it is
    are left out, so the drawing shows the moves; `hrw-sms flows` lists every transition."""
    out = []
    for name, transitions in flows.items():
        out += [f"## {name}", "", "```mermaid", "stateDiagram-v2"]
        moves: dict[tuple[str, str], list[str]] = {}
        for a, w, b in sorted(transitions):
            if a != b:
                moves.setdefault((a, b), []).append(w)
        for (a, b), words in moves.items():
            out.append(f"    {_node(a)} --> {_node(b)}: {', '.join(words)}")
        out += ["```", ""]
    return "\n".join(out)


def _node(state: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", state).strip("_")
