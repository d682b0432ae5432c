"""The hosting rules as one pure function: every state, actor and event."""

from __future__ import annotations

import pytest

from flows.host import Actor, Event, HostingState, Move, next_state, told_when_cleared

S = HostingState
TABLE = {
    # (state, actor, event): the move, or None for "changes nothing"
    (S.ASSIGNED, Actor.ASSIGNED_HOST, Event.YES): Move(S.CONFIRMED),
    (S.ASSIGNED, Actor.ASSIGNED_HOST, Event.NO): Move(S.DECLINED, new_round=True),
    (S.CONFIRMED, Actor.ASSIGNED_HOST, Event.NO): Move(S.DECLINED, new_round=True),
    (S.DECLINED, Actor.ASSIGNED_HOST, Event.YES): Move(S.CONFIRMED),
    (S.UNCOVERED, Actor.ASSIGNED_HOST, Event.YES): Move(S.CONFIRMED),
    (S.UNCOVERED, Actor.ASSIGNED_HOST, Event.NO): Move(S.DECLINED),  # the same search goes on
    (S.DECLINED, Actor.COVERING_HOST, Event.YES): Move(S.COVERED),
    (S.UNCOVERED, Actor.COVERING_HOST, Event.YES): Move(S.COVERED),
    (S.ASSIGNED, Actor.CLOCK, Event.DEADLINE): Move(S.UNCOVERED, new_round=True),
    (S.COVERED, Actor.ROSTER, Event.UNCOVER): Move(S.UNCOVERED, new_round=True),  # seek again
}


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("actor", list(Actor))
@pytest.mark.parametrize("event", list(Event))
def test_next_state_is_this_table(state: S, actor: Actor, event: Event) -> None:
    assert next_state(state, actor, event) == TABLE.get((state, actor, event))


def test_a_state_read_from_redis_as_text_is_understood() -> None:
    assert next_state("assigned", Actor.CLOCK, Event.DEADLINE) == Move(S.UNCOVERED, True)
    with pytest.raises(ValueError):
        next_state("lost", Actor.CLOCK, Event.DEADLINE)


# Clearing an occurrence's host (Event.CLEAR) drops the record whatever its state; whoever had
# it is texted when they said YES, or were asked and have not said NO.
TOLD = {
    (S.ASSIGNED, False): False,  # never asked: no text ever reached them about it
    (S.ASSIGNED, True): True,
    (S.CONFIRMED, False): True,
    (S.CONFIRMED, True): True,
    (S.DECLINED, False): False,  # said NO: not coming anyway
    (S.DECLINED, True): False,
    (S.UNCOVERED, False): False,
    (S.UNCOVERED, True): True,  # asked, no answer by the deadline: may still turn up
    (S.COVERED, False): True,  # the cover said YES
    (S.COVERED, True): True,
}


@pytest.mark.parametrize(("state", "asked"), list(TOLD))
def test_who_is_told_when_a_host_is_cleared(state: S, asked: bool) -> None:
    assert told_when_cleared(state, asked) is TOLD[(state, asked)]
    assert next_state(state, Actor.ROSTER, Event.CLEAR) is None  # no state: the record goes
