"""One fit-to-three-segments helper: the first version that fits, or a refusal, never a text
over budget."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flows.gsm import segments
from flows.render_sms import (
    MAX_SEGMENTS,
    DoesNotFit,
    clip,
    first_fitting,
    fit_extras,
    longest_fitting,
)

ONE_SEGMENT = "x" * 160
THREE = "x" * 459  # 3 x 153
FOUR = "x" * 460


def test_first_fitting_takes_the_first_that_fits_lazily() -> None:
    tried: list[str] = []

    def candidates():
        for body in (FOUR, THREE, ONE_SEGMENT):
            tried.append(body)
            yield body

    assert first_fitting(candidates()) == THREE
    assert tried == [FOUR, THREE]  # the shorter ones were never built


def test_first_fitting_refuses_when_nothing_fits() -> None:
    with pytest.raises(DoesNotFit):
        first_fitting([FOUR, FOUR + "y"])
    assert first_fitting([ONE_SEGMENT], budget=1) == ONE_SEGMENT
    with pytest.raises(DoesNotFit):
        first_fitting([ONE_SEGMENT + "x"], budget=1)


def test_longest_fitting_finds_the_longest_and_refuses_the_impossible() -> None:
    assert longest_fitting(lambda n: "x" * (400 + n), 500) == 59
    assert segments("x" * 459) == MAX_SEGMENTS
    with pytest.raises(DoesNotFit):
        longest_fitting(lambda n: FOUR + "x" * n, 10)


def notes_between(head: str, tail: str) -> Callable[[dict[str, str]], str]:
    """A text builder as the meeting details use: head, the kept notes (if any), tail."""
    return lambda kept: "\n".join([head, *([kept["notes"]] if kept["notes"] else []), tail])


def test_fit_extras_clips_an_extra_and_refuses_a_head_over_budget() -> None:
    fitted = fit_extras(notes_between("Head", "Tail"), {"notes": "n" * 1000})
    assert fitted.startswith("Head\nnnnn") and fitted.endswith("\nTail")
    assert segments(fitted) == MAX_SEGMENTS
    assert fit_extras(notes_between("Head", "x" * 445), {"notes": "n" * 20}) == "Head\n" + "x" * 445
    with pytest.raises(DoesNotFit):
        fit_extras(notes_between(FOUR, "Tail"), {"notes": "some notes"})


def test_clip_never_returns_more_than_its_limit() -> None:
    for limit in range(0, 12):
        assert len(clip("a long meeting name", limit)) <= limit
