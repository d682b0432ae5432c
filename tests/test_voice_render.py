"""What a call says when a text has placeholders: the contact filled in, faults logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from flows import render_voice
from flows.model import Directory
from flows.replies import Text

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("language", ["en", "es"])
def test_voice_help_names_a_person_not_a_placeholder(language: str) -> None:
    said = " ".join(render_voice.content([Text("help")], language, NOW, Directory()))
    assert "{" not in said and "}" not in said
    with_contact = render_voice.content(
        [Text("help")], language, NOW, Directory(), contact="call Robin at 413 555 0100"
    )
    assert "Robin" in " ".join(with_contact)


def test_a_template_fault_is_logged_not_swallowed(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="flows.render_voice"):
        said = render_voice.content([Text("cancel_done")], "en", NOW, Directory())  # no count
    assert said == [render_voice.say("en", "not_understood")]
    (record,) = caplog.records
    assert "'cancel_done'" in record.getMessage() and record.exc_info is not None
