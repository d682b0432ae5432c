"""Every host and coordinator text fits in three GSM-7 segments, with long names and the
longest exercise a host may set, in both languages."""

from __future__ import annotations

from datetime import datetime

import pytest

from flows.gsm import is_gsm, segments
from flows.host import MAX_EXERCISE
from flows.occurrences import next_occurrence
from flows.render_sms import host_prompt_text, host_text
from tests.test_texts import huge_directory

NOW = datetime.fromisoformat("2026-11-24T08:00:00-05:00")
PROMPTS = ("host_ask", "host_ask_again", "host_reminder", "host_reminder_cover")
NOTICES = (
    "host_cover_ask", "host_covered_notice", "host_cancelled_notice", "host_cleared_notice",
    "host_confirmed",
    "host_declined", "host_cover_taken", "host_exercise_saved",
)  # fmt: skip
COORDINATOR = (
    "coord_host_declined",
    "coord_host_no_answer",
    "coord_host_covered",
    "coord_cover_left",
)


def fits(body: str) -> bool:
    return is_gsm(body) and segments(body) <= 3


@pytest.mark.parametrize("language", ["en", "es"])
def test_prompts_with_the_longest_exercise_fit(language: str) -> None:
    exercise = ("Leemos “Reducción de daños” en voz alta y hablamos. " * 10)[:MAX_EXERCISE]
    for meeting in huge_directory().meetings.values():
        occ = next_occurrence(meeting, NOW)
        assert occ is not None
        for key in PROMPTS:
            for last, words in ((False, None), (True, None), (True, exercise)):
                body = host_prompt_text(language, occ, NOW, key, last, words)
                assert fits(body), (key, segments(body), body)
        last = host_prompt_text(language, occ, NOW, "host_reminder", True, "a short poem")
        assert last.endswith("a short poem")


@pytest.mark.parametrize("language", ["en", "es"])
def test_notices_and_coordinator_texts_fit(language: str) -> None:
    for meeting in huge_directory().meetings.values():
        occ = next_occurrence(meeting, NOW)
        assert occ is not None
        for key in NOTICES:
            assert fits(host_text(language, key, occ, NOW)), key
        for key in COORDINATOR:
            for then in (None, "coord_asking_others", "coord_no_other_hosts"):
                body = host_text(language, key, occ, NOW, then, host="+1******0123")
                assert fits(body), (key, then, body)
