"""`hrw-sms chat`: texts from standard input through the real webhook path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from hrw_sms.cli import main
from hrw_sms.meetings.directory import DirectoryStore
from tests.feeds import feed_text


def test_chat_prints_replies_and_ends_with_the_input(redis_url: str, r) -> None:
    DirectoryStore(r).import_feed(feed_text())
    result = CliRunner().invoke(
        main, ["chat", "(413) 555-0123"], input="MEETINGS\nHELP\nSTOP\nMENU\n",
        env={"REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": "chat-token",
             "HRW_NUMBER_HASH_KEY": "test-number-hash-key"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "Coming up:\n1. " in result.output
        and "Harm Reduction Works-HRW meeting line" in result.output
    )
    assert result.output.count("(no reply)") == 2  # STOP, then anything while opted out


def test_chat_works_on_the_embedded_store_without_redis_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "TWILIO_", "HRW_"))}
    result = subprocess.run(
        [sys.executable, "-m", "hrw_sms", "chat"], input="MEETINGS\n1\n", text=True,
        env={**env, "HRW_DATA_DIR": str(tmp_path)}, capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Coming up:\n1. " in result.stdout and "Example:" in result.stdout
    assert "WELCOME or AGREEMENTS for this group" in result.stdout
