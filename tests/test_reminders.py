"""Participant reminders end to end: REMIND by text, planning, the worker, the fake API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from hrw_sms.base.config import QuietHours
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import keys
from tests.feeds import MEETINGS, feed_text
from tests.worker_world import World, world_at
from workers.reminder_plans import plan_all

NOW = datetime.fromisoformat("2026-11-24T09:00:00-05:00")  # Tuesday morning
ALEX, SAM = "+14135550101", "+14135550102"


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, NOW, HRW_QUIET_HOURS="off") as w:
        yield w


def subscribe(world: World, number: str, list_number: str = "1") -> None:
    phone = world.phone(number)
    assert phone.text("MEETINGS").startswith("Coming up:\n1. Today 12pm EST Online Lunch Break")
    listing = phone.text("MEETINGS TODAY")
    assert "2. Today 6pm EST Tuesday Night at the Library" in listing
    assert "1 hour before Tuesday Night at the Library" in phone.text("REMIND " + list_number)


def test_reminder_arrives_at_the_right_local_time(world: World) -> None:
    subscribe(world, ALEX, "2")
    world.clock.set(datetime.fromisoformat("2026-11-24T16:58:00-05:00"))
    world.work()
    assert world.texts_to(ALEX) == []  # not yet: 5 PM is the hour before
    world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
    world.work()
    (text,) = world.texts_to(ALEX)
    assert text.startswith(
        "Harm Reduction Works-HRW reminder: Tuesday Night at the Library, today 6pm EST."
    )
    assert "20 West St" in text and "NOREMIND" in text


def test_planning_twice_schedules_nothing_twice(world: World) -> None:
    subscribe(world, ALEX, "2")
    services = world.app.extensions["hrw"]
    assert plan_all(services) == 0  # the REMIND itself planned it at once
    assert plan_all(services) == 0
    world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
    world.work()
    world.work()
    assert len(world.texts_to(ALEX)) == 1


def test_cancelled_occurrence_sends_a_cancellation_instead(world: World) -> None:
    subscribe(world, ALEX, "2")
    DirectoryStore(world.redis).set_cancelled("forbes-tuesday", date(2026, 11, 24), True)
    world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
    world.work()
    (text,) = world.texts_to(ALEX)
    assert "Tuesday Night at the Library, today 6pm EST, is cancelled" in text


def test_meeting_removed_from_the_directory_stops_its_reminders(world: World) -> None:
    subscribe(world, ALEX, "2")
    others = [m for m in MEETINGS if m["slug"] != "forbes-tuesday"]
    DirectoryStore(world.redis).import_feed(feed_text(others), prune=True)
    world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
    world.work()
    assert world.texts_to(ALEX) == []


def test_noremind_and_stop_stop_reminders_but_others_still_get_theirs(world: World) -> None:
    subscribe(world, ALEX, "2")
    subscribe(world, SAM, "2")
    world.phone(ALEX).text("STOP")
    world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
    world.work()
    assert world.texts_to(ALEX) == [] and len(world.texts_to(SAM)) == 1


def test_a_reminder_in_quiet_hours_goes_at_once_when_the_meeting_starts_before_they_end(
    redis_url: str,
) -> None:
    """The rule host prompts follow (workers.outbound.held_until): holding the reminder until
    8 AM would lose it, since the meeting starts first, so it goes at once, as REMIND said."""
    at = datetime.fromisoformat("2026-11-24T09:00:00-05:00")
    with world_at(redis_url, at, HRW_QUIET_HOURS="17-8") as world:
        subscribe(world, ALEX, "2")
        subscribe(world, SAM, "2")
        world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
        world.work()
        (text,) = world.texts_to(ALEX)
        assert text.startswith("Harm Reduction Works-HRW reminder: Tuesday Night at the Library")
        assert len(world.texts_to(SAM)) == 1
        records = [world.redis.hgetall(k) for k in world.redis.keys(keys.outbound("remind*"))]
        assert {r[b"status"] for r in records} == {b"sent"}


def test_a_cancellation_notice_in_quiet_hours_is_not_lost(redis_url: str) -> None:
    at = datetime.fromisoformat("2026-11-24T09:00:00-05:00")
    with world_at(redis_url, at, HRW_QUIET_HOURS="17-8") as world:
        subscribe(world, ALEX, "2")
        DirectoryStore(world.redis).set_cancelled("forbes-tuesday", date(2026, 11, 24), True)
        world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
        world.work()
        (notice,) = world.texts_to(ALEX)
        assert "Tuesday Night at the Library, today 6pm EST, is cancelled" in notice


def test_quiet_hours_still_hold_a_reminder_that_can_wait() -> None:
    from workers.outbound import held_until

    quiet = QuietHours(22, 8)
    late = datetime.fromisoformat("2026-11-24T23:00:00-05:00")
    zone = "America/New_York"
    morning = datetime.fromisoformat("2026-11-25T08:00:00-05:00")
    assert held_until(late, zone, quiet, datetime.fromisoformat("2026-11-25T10:00:00-05:00")) == (
        morning
    )
    assert held_until(late, zone, quiet, datetime.fromisoformat("2026-11-25T03:26:00-05:00")) is (
        None
    )
    assert held_until(late, zone, quiet) == morning  # no deadline (a broadcast): held
    assert held_until(morning, zone, quiet, morning) is None  # not quiet any more


def test_the_fan_out_starts_early_and_its_texts_wait_for_the_due_moment(world: World) -> None:
    """RQ releases a scheduled job up to a second late; the fan-out is released two seconds
    early instead, reads and renders everything, and holds the texts until the due moment."""
    subscribe(world, ALEX, "2")
    world.clock.set(datetime.fromisoformat("2026-11-24T16:59:55-05:00"))
    world.work()
    assert world.texts_to(ALEX) == []  # not released yet
    world.clock.set(datetime.fromisoformat("2026-11-24T16:59:58-05:00"))
    world.work()
    (text,) = world.texts_to(ALEX)
    assert "today 6pm EST" in text
    # The fan-out slept (on the test clock) until the due moment before queuing the texts.
    assert world.clock() == datetime.fromisoformat("2026-11-24T17:00:00-05:00")
