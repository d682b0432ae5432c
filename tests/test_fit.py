"""One fit-to-three-segments helper: the first version that fits, or a refusal, never a text
over budget."""

from __future__ import annotations

import pytest

from flows.gsm import segments
from flows.render_sms import (
    MAX_SEGMENTS,
    DoesNotFit,
    clip,
    first_fitting,
    fit_notes,
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


def test_fit_notes_refuses_a_head_over_budget_rather_than_send_it() -> None:
    assert fit_notes(["Head"], "n" * 1000, ["Tail"]).startswith("Head\nnnnn")
    assert segments(fit_notes(["Head"], "n" * 1000, ["Tail"])) == MAX_SEGMENTS
    with pytest.raises(DoesNotFit):
        fit_notes([FOUR], "some notes", ["Tail"])


def test_clip_never_returns_more_than_its_limit() -> None:
    for limit in range(0, 12):
        assert len(clip("a long meeting name", limit)) <= limit
