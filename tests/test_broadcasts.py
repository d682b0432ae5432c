"""Broadcasts and cancellations from the command line, sent by real workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from hrw_sms.store import keys
from tests.worker_world import World, world_at

NOW = datetime.fromisoformat("2026-11-24T10:00:00-05:00")
PEOPLE = [f"+1413555{n:04d}" for n in range(201, 206)]


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, NOW, HRW_QUIET_HOURS="off") as w:
        yield w


def remind(world: World, number: str, which: str = "Tuesday Night at the Library") -> None:
    phone = world.phone(number)
    listing = phone.text("MEETINGS 01060")  # nearest first: every Valley meeting is listed
    (line,) = [x for x in listing.splitlines() if which in x][:1]
    assert "STOP" in phone.text("REMIND " + line.split(".")[0])


def cli(world: World, *args: str, input: str | None = None):
    return world.cli(*args, input=input)


def test_broadcast_reaches_each_subscriber_once_and_never_an_opted_out_one(world: World) -> None:
    for number in PEOPLE:
        remind(world, number)
    remind(world, "+14135550299", "Holyoke Focused Circle")  # another group: not reached
    world.phone(PEOPLE[0]).text("STOP")
    dry = cli(
        world, "broadcast", "--group", "hrw-northampton", "We moved to room 3 tonight.", "--dry-run"
    )
    assert dry.exit_code == 0, dry.output
    assert "Reaches: 4 subscribers" in dry.output
    one = cli(world, "broadcast", "--group", "valley-focused", "Room 3 tonight.", "--dry-run")
    assert "Reaches: 1 subscriber;" in one.output, one.output
    assert "HRW Northampton: We moved to room 3 tonight.\nReply STOP to end texts." in dry.output
    assert world.fake.sends() == []
    sent = cli(world, "broadcast", "--group", "hrw-northampton", "We moved to room 3 tonight.",
               "--yes", "--no-wait")  # fmt: skip
    assert sent.exit_code == 0, sent.output
    world.work()
    for number in PEOPLE[1:]:
        assert world.texts_to(number) == [
            "HRW Northampton: We moved to room 3 tonight.\nReply STOP to end texts."
        ]
    assert world.texts_to(PEOPLE[0]) == [] and world.texts_to("+14135550299") == []
    world.work()  # running everything again sends nothing again
    assert len(world.fake.sends()) == 4
    status = cli(world, "status", "--group", "hrw-northampton")
    assert "4 in all, 0 queued, 4 sent" in status.output and "0 failed" in status.output
    assert world.redis.hget(keys.broadcast(1), "body") is None  # not kept after sending
    log = cli(world, "audit")
    assert "broadcast\thrw-northampton\tbroadcast 1\t4\tcli\tcli" in log.output


def test_broadcast_asks_before_sending_and_refuses_bad_ones(world: World) -> None:
    remind(world, PEOPLE[1])
    declined = cli(world, "broadcast", "--group", "hrw-northampton", "Hello", input="n\n")
    assert declined.exit_code != 0 and "not sent" in declined.output
    too_long = cli(world, "broadcast", "--group", "hrw-northampton", "word " * 120, "--yes")
    assert (
        too_long.exit_code != 0 and "cut about" in too_long.output and "3 texts" in too_long.output
    )
    empty = cli(world, "broadcast", "--group", "hrw-northampton", "   ", "--yes")
    assert empty.exit_code != 0 and "empty" in empty.output
    unknown = cli(world, "broadcast", "--group", "nope", "Hello", "--yes")
    assert unknown.exit_code != 0 and "no group" in unknown.output
    world.work()
    assert world.fake.sends() == []


def test_cancel_marks_the_occurrence_and_tells_the_group_once(world: World) -> None:
    remind(world, PEOPLE[1])  # reminders for the cancelled meeting
    remind(world, PEOPLE[2], "Tuesday Night at the Library")
    result = cli(world, "cancel", "forbes-tuesday", "2026-11-24", "--yes")
    assert result.exit_code == 0, result.output
    assert "2 subscribers will be told" in result.output
    world.work()
    for number in PEOPLE[1:3]:
        (text,) = world.texts_to(number)
        assert "Tuesday Night at the Library, today 6pm EST, is cancelled" in text
    assert "CANCELLED" in world.phone(PEOPLE[3]).text("MEETINGS TODAY")
    world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))  # reminder time
    world.work()
    assert len(world.texts_to(PEOPLE[1])) == 1  # the notice again would be a duplicate
    again = cli(world, "cancel", "forbes-tuesday", "2026-11-24", "--yes")
    assert again.exit_code != 0 and "already cancelled" in again.output
    wrong_day = cli(world, "cancel", "forbes-tuesday", "2026-11-25", "--yes")
    assert wrong_day.exit_code != 0 and "does not meet on Wednesday" in wrong_day.output
    assert "cancel\thrw-northampton\tforbes-tuesday 2026-11-24\t2" in cli(world, "audit").output


def test_cli_broadcast_follows_real_worker_processes_until_sent(
    world: World, redis_url: str
) -> None:
    """The Procfile's worker and the CLI as operators run them: separate processes."""
    for number in PEOPLE:
        remind(world, number)
    env = {**os.environ, **world.env, "TWILIO_AUTH_TOKEN": "fake-auth-token"}
    from tests.fake_twilio import AUTH_TOKEN

    env["TWILIO_AUTH_TOKEN"] = AUTH_TOKEN
    worker = subprocess.Popen([sys.executable, "-m", "hrw_sms", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "hrw_sms", "broadcast", "--group", "hrw-northampton",
             "Snacks tonight!", "--yes"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "5 in all, 0 queued, 5 sent" in result.stdout
        assert time.monotonic() - started < 30
    finally:
        worker.terminate()
        worker.wait(10)
    assert sorted(r.to for r in world.fake.sends()) == sorted(PEOPLE)
