"""Coordinators by text: BROADCAST, CANCEL and STATUS, through signed webhooks and workers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.worker_world import World, world_at

NOW = datetime.fromisoformat("2026-11-24T10:00:00-05:00")
COORD = "+14135550900"
PEOPLE = ["+14135550301", "+14135550302", "+14135550303"]
FINAL = "HRW Northampton: We moved to room 3 tonight.\nReply STOP to end texts."


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, NOW, HRW_QUIET_HOURS="off") as w:
        for number in PEOPLE:
            phone = w.phone(number)
            listing = phone.text("MEETINGS 01060")
            (line,) = [x for x in listing.splitlines() if "Tuesday Night" in x]
            phone.text("REMIND " + line.split(".")[0])
        yield w


def make_coordinator(world: World, *groups: str) -> None:
    for group in groups:
        result = world.cli("coordinator", "add", COORD, "--group", group)
        assert result.exit_code == 0, result.output


def texts(response) -> list[str]:
    from tests.webhook import message_texts

    return message_texts(response.data)


def test_others_get_the_ordinary_answer_with_no_hint(world: World) -> None:
    phone = world.phone(PEOPLE[0])
    for word in ("BROADCAST We moved", "STATUS"):
        reply = phone.text(word)
        assert reply.startswith("Sorry, we didn't catch that.") and "BROADCAST" not in reply
    # CANCEL is also the carrier's opt-out word: to anyone else it earns the hint on stopping.
    reply = phone.text("CANCEL 1")
    assert reply.startswith("To stop all texts") and "BROADCAST" not in reply
    world.work()
    assert world.fake.sends() == []


def test_broadcast_by_text_previews_then_sends_once_on_yes(world: World) -> None:
    make_coordinator(world, "hrw-northampton")
    coord = world.phone(COORD)
    preview = texts(coord.post("BROADCAST We moved to room 3 tonight."))
    assert preview == [
        "This goes to 3 subscribers of HRW Northampton. Reply YES to send it, or NO to drop it. It will read:",
        FINAL,
    ]
    assert world.fake.sends() == []
    assert coord.text("YES") == "Sending to 3 people now. Text STATUS to see how it's going."
    world.work()
    assert all(world.texts_to(n) == [FINAL] for n in PEOPLE)
    assert coord.text("YES").startswith("There's nothing waiting for a yes")  # a second YES
    world.work()
    assert len(world.fake.sends()) == 3
    status = coord.text("STATUS")
    assert (
        status
        == "Last broadcast to HRW Northampton: 3 in all. Waiting 0, sent 3, delivered 0, failed 0."
    )


def test_a_late_yes_sends_nothing(world: World) -> None:
    make_coordinator(world, "hrw-northampton")
    coord = world.phone(COORD)
    coord.text("BROADCAST We moved to room 3 tonight.")
    world.clock.advance(minutes=11)
    assert "wasn't sent" in coord.text("YES")
    coord.text("BROADCAST We moved to room 3 tonight.")
    assert coord.text("NO") == "OK, not sent."
    world.work()
    assert world.fake.sends() == []


def test_coordinator_of_two_groups_picks_one_first(world: World) -> None:
    make_coordinator(world, "hrw-northampton", "valley-focused")
    coord = world.phone(COORD)
    question = coord.text("BROADCAST We moved to room 3 tonight.")
    assert (
        question
        == "Which group is it for? Reply with its number:\n1. HRW Northampton\n2. Valley Focused"
    )
    assert coord.text("7").startswith("Reply with a number from 1 to 2") and not world.fake.sends()
    assert texts(coord.post("1"))[1] == FINAL
    coord.text("YES")
    world.work()
    assert len(world.fake.sends()) == 3


def test_too_long_or_empty_broadcasts_are_refused(world: World) -> None:
    make_coordinator(world, "hrw-northampton")
    coord = world.phone(COORD)
    refusal = coord.text("BROADCAST " + "Please read this. " * 40)
    assert "characters as sent, 5 texts" in refusal and "cut about" in refusal
    assert coord.text("BROADCAST").startswith("Put your message after the word")
    assert coord.text("YES").startswith("There's nothing waiting")
    world.work()
    assert world.fake.sends() == []


def test_cancel_by_text_confirms_marks_and_tells_subscribers(world: World) -> None:
    make_coordinator(world, "hrw-northampton")
    coord = world.phone(COORD)
    listing = coord.text("MEETINGS TODAY")
    (line,) = [x for x in listing.splitlines() if "Tuesday Night" in x]
    n = line.split(".")[0]
    question = coord.text(f"CANCEL {n}")
    assert question.startswith("Cancel Tuesday Night at the Library, today 6pm EST? 3 subscribers")
    assert coord.text("NO") == "OK, it stays on."
    coord.text(f"CANCEL {n}")
    assert coord.text("YES") == "Cancelled. We're letting 3 people know."
    world.work()
    for number in PEOPLE:
        (notice,) = world.texts_to(number)
        assert "Tuesday Night at the Library, today 6pm EST, is cancelled" in notice
    assert "CANCELLED" in world.phone(PEOPLE[0]).text("MEETINGS TODAY")
    again = coord.text(f"CANCEL {n}")
    assert "already cancelled" in again
    log = world.cli("audit").output
    assert "cancel\thrw-northampton\tforbes-tuesday 2026-11-24\t3\t+1******0900\tsms" in log


def test_cancel_of_another_groups_meeting_is_refused(world: World) -> None:
    make_coordinator(world, "valley-focused")
    coord = world.phone(COORD)
    listing = coord.text("MEETINGS TODAY")
    (line,) = [x for x in listing.splitlines() if "Tuesday Night" in x]
    assert "group you don't coordinate" in coord.text("CANCEL " + line.split(".")[0])


COORD2 = "+14135550901"


def _listed_number(coord) -> str:
    listing = coord.text("MEETINGS TODAY")
    (line,) = [x for x in listing.splitlines() if "Tuesday Night" in x]
    return line.split(".")[0]


def test_two_coordinators_confirming_one_cancellation_each_get_a_true_answer(
    world: World,
) -> None:
    for number in (COORD, COORD2):
        result = world.cli("coordinator", "add", number, "--group", "hrw-northampton")
        assert result.exit_code == 0, result.output
    first, second = world.phone(COORD), world.phone(COORD2)
    for coord in (first, second):
        assert coord.text(f"CANCEL {_listed_number(coord)}").startswith("Cancel Tuesday Night")
    assert first.text("YES") == "Cancelled. We're letting 3 people know."
    late = second.text("YES")
    assert late == "Tuesday Night at the Library, today 6pm EST, is already cancelled."
    world.work()
    for number in PEOPLE:
        (notice,) = world.texts_to(number)  # once, not once per coordinator
        assert "is cancelled" in notice
    assert world.cli("audit").output.count("\tcancel\t") == 1


def test_a_cancellation_that_lost_the_race_is_replayed_not_refused(world: World) -> None:
    """The second YES's flow saw the directory before the first one's mark: the shell's
    compare-and-set says Stale, so the conversation replays the step on the fresh state."""
    from datetime import date

    from flows import effects as fx
    from hrw_sms.handlers import cancellations
    from hrw_sms.handlers.effects import Stale, apply_effects

    services = world.app.extensions["hrw"]
    day = date(2026, 11, 24)
    chosen = cancellations.plan(services, "forbes-tuesday", day)
    cancellations.cancel(services, chosen, actor=None, channel="cli")
    with pytest.raises(cancellations.AlreadyCancelled):
        cancellations.cancel(services, chosen, actor=None, channel="cli")  # planned before
    with pytest.raises(Stale):
        effect = fx.CancelOccurrence("forbes-tuesday", day.isoformat())
        apply_effects(services, COORD2, services.number_id(COORD2), [effect])
    world.work()
    assert all(len(world.texts_to(n)) == 1 for n in PEOPLE)


def test_a_confirmed_cancellation_queues_one_fan_out_job_not_the_notices(world: World) -> None:
    from rq import Queue

    from hrw_sms.jobs import queues

    make_coordinator(world, "hrw-northampton")
    coord = world.phone(COORD)
    coord.text(f"CANCEL {_listed_number(coord)}")
    coord.text("YES")
    waiting = [
        job.func_name
        for name in queues.ORDER
        for job in Queue(name, connection=world.redis).get_jobs()
    ]
    assert waiting == ["workers.cancellations.send_notices"]  # the request sent nothing
    world.work()
    assert all(len(world.texts_to(n)) == 1 for n in PEOPLE)


def test_a_cancellation_reaches_the_groups_subscribers_of_its_other_meetings(
    redis_url: str,
) -> None:
    """REMIND promises the group's cancellations: a subscriber of one meeting of the group
    is told when another of its meetings is cancelled (the fan-out is about the group)."""
    import json

    from hrw_sms.meetings.directory import DirectoryStore
    from tests.feeds import MEETINGS

    second = {**MEETINGS[0], "name": "Thursday Lunch", "slug": "forbes-thursday", "day": 4}
    with world_at(redis_url, NOW, HRW_QUIET_HOURS="off") as world:
        DirectoryStore(world.redis).import_feed(json.dumps([*MEETINGS, second]))
        person = world.phone(PEOPLE[0])
        listing = person.text("MEETINGS 01060")
        (line,) = [x for x in listing.splitlines() if "Tuesday Night" in x]
        person.text("REMIND " + line.split(".")[0])  # Tuesday only; the group's updates too
        result = world.cli("cancel", "forbes-thursday", "2026-11-26", "--yes")
        assert result.exit_code == 0, result.output
        world.work()
        (notice,) = world.texts_to(PEOPLE[0])
        assert "Thursday Lunch" in notice and "cancel" in notice.lower()
