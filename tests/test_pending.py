"""Pending questions are a tagged union, stored in one form and read by one parser."""

from __future__ import annotations

from datetime import date

import pytest

from flows import pending
from flows.model import OccurrenceId
from flows.session import Session

CASES = [
    (pending.ConfirmForget(), "forget"),
    (pending.ChooseBroadcastGroup(), "broadcast-group"),
    (pending.ConfirmBroadcast("hrw-northampton"), "broadcast:hrw-northampton"),
    (
        pending.ConfirmCancel(OccurrenceId("forbes-tuesday", date(2026, 11, 24))),
        "cancel:forbes-tuesday|2026-11-24",
    ),
]


@pytest.mark.parametrize(("question", "stored"), CASES)
def test_each_question_keeps_its_stored_form(question: pending.Pending, stored: str) -> None:
    assert pending.dump(question) == stored  # sessions stored before read the same
    assert pending.load(stored) == question
    session = Session(pending=question, asked_at="2026-11-24T10:00:00-05:00")
    assert Session.from_json(session.to_json()) == session


@pytest.mark.parametrize(
    "stored", [None, "", "cancel:", "cancel:slug|not-a-date", "cancel:nodate", "what:x", "x"]
)
def test_anything_unreadable_is_nothing_pending(stored: str | None) -> None:
    assert pending.load(stored) is None
