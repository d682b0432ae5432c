"""Hosts end to end: roster, prompts by the worker, answers by signed webhooks, the cover race."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from hrw_sms.handlers import conversations
from hrw_sms.handlers.services import Services
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import coordinators, hosts, keys
from tests.fake_twilio import FakeTwilio
from tests.feeds import MEETINGS, feed_text
from tests.worker_world import Clock, World
from workers.host_plans import deadline_for, plan_hosts, plan_occurrence, prompt_times

NOW = datetime.fromisoformat("2026-11-22T09:00:00-05:00")  # Sunday morning
TUESDAY = date(2026, 11, 24)  # forbes-tuesday meets at 6pm EST: 2026-11-24T23:00Z
FIRST_PROMPT = datetime.fromisoformat("2026-11-22T18:00:00-05:00")  # 48h before
DEADLINE = datetime.fromisoformat("2026-11-23T18:00:00-05:00")  # halfway to the start
LAST_PROMPT = datetime.fromisoformat("2026-11-24T16:00:00-05:00")  # 2h before
GROUP = "hrw-northampton"
ALEX, SAM, KIM, COORD = "+14135550101", "+14135550102", "+14135550103", "+14135550199"


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    clock = Clock(NOW)
    with FakeTwilio(clock=clock) as fake:
        w = World(redis_url, fake, clock, HRW_HOST_REMINDERS="48h,2h")
        DirectoryStore(w.redis).import_feed(feed_text())
        services = svc(w)
        for number in (ALEX, SAM, KIM):
            hosts.add_host(w.redis, services.number_id(number), number, GROUP)
        coordinators.add(w.redis, services.number_id(COORD), COORD, GROUP)
        yield w


def svc(world: World) -> Services:
    return world.app.extensions["hrw"]


def assign(world: World, number: str, slug: str = "forbes-tuesday", day: date = TUESDAY) -> None:
    services = svc(world)
    directory = services.directory.load()
    hosts.assign(world.redis, directory, slug, day, services.number_id(number), world.clock())
    plan_occurrence(services, slug, day)


def at(world: World, moment: datetime) -> None:
    world.clock.set(moment)
    world.work()


def record(world: World) -> hosts.Hosting:
    found = hosts.hosting_of(world.redis, "forbes-tuesday", TUESDAY)
    assert found is not None
    return found


def nid(world: World, number: str) -> str:
    return svc(world).number_id(number)


# --- timing ---


def test_prompt_times_and_deadline() -> None:
    start = datetime.fromisoformat("2026-11-24T23:00:00+00:00")
    leads = (start - FIRST_PROMPT, start - LAST_PROMPT)
    assert prompt_times(leads, start, NOW) == [(0, FIRST_PROMPT), (1, LAST_PROMPT)]
    late = datetime.fromisoformat("2026-11-23T10:00:00-05:00")  # after the 48h lead
    assert prompt_times(leads, start, late) == [(0, late), (1, LAST_PROMPT)]
    very_late = datetime.fromisoformat("2026-11-24T17:00:00-05:00")  # after both
    assert prompt_times(leads, start, very_late) == [(1, very_late)]
    assert deadline_for(FIRST_PROMPT, start) == DEADLINE


# --- the whole story ---


def test_first_prompt_at_the_lead_then_no_then_first_yes_takes_it(world: World) -> None:
    assign(world, ALEX)
    at(world, datetime.fromisoformat("2026-11-22T17:59:00-05:00"))
    assert world.texts_to(ALEX) == []
    at(world, FIRST_PROMPT)
    (ask,) = world.texts_to(ALEX)
    assert ask == (
        "Harm Reduction Works-HRW: hi! You're on the roster to host Tuesday Night at the "
        "Library, Tue 11/24 6pm EST. Can you host it? Reply YES or NO."
    )
    reply = world.phone(ALEX).text("no")
    assert reply.startswith("Thanks for letting us know. We'll ask the group's other hosts")
    assert record(world).state == "declined"
    world.work()
    (told,) = world.texts_to(COORD)
    assert told == (
        "Harm Reduction Works-HRW: +1******0101 can't host Tuesday Night at the Library, "
        "Tue 11/24 6pm EST. We're asking the group's other hosts to cover."
    )
    for other in (SAM, KIM):
        (cover,) = world.texts_to(other)
        assert "needs a host. Can you cover it? Reply YES to take it" in cover
    assert (
        world.phone(SAM)
        .text("yes")
        .startswith("Thank you! Tuesday Night at the Library, Tue 11/24 6pm EST is yours to host.")
    )
    world.work()
    assert world.texts_to(KIM)[-1].endswith("is covered now, no need to reply.")
    assert world.texts_to(COORD)[-1] == (
        "Harm Reduction Works-HRW: good news, +1******0102 is covering Tuesday Night at the "
        "Library, Tue 11/24 6pm EST."
    )
    assert len(world.texts_to(SAM)) == 1  # the cover request only: no "covered" thanks
    assert world.phone(KIM).text("YES").startswith("Thanks for offering!")
    rec = record(world)
    assert (rec.state, rec.cover) == ("covered", nid(world, SAM))
    # The last prompt goes to the one who covers, and nothing more to the one who declined.
    at(world, LAST_PROMPT)
    assert world.texts_to(SAM)[-1].startswith(
        "Harm Reduction Works-HRW: thank you for covering Tuesday Night at the Library"
    )
    assert len(world.texts_to(ALEX)) == 1
    assert len(world.texts_to(KIM)) == 2


def test_yes_confirms_once_and_later_prompts_do_not_ask_again(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    phone = world.phone(ALEX)
    assert phone.text("YES").startswith("Thank you! You're hosting Tuesday Night at the Library")
    version = record(world).version
    assert phone.text("yes").startswith("You're all set to host")
    assert record(world).version == version  # the second YES changed nothing
    at(world, DEADLINE)
    assert record(world).state == "confirmed" and world.texts_to(COORD) == []
    at(world, LAST_PROMPT)
    texts = world.texts_to(ALEX)
    assert len(texts) == 2
    assert texts[1].startswith("Harm Reduction Works-HRW: thank you for hosting")
    assert "Reply YES or NO" not in texts[1]
    assert "Text EXERCISE and a few words" in texts[1]  # no exercise set: an invitation


def test_the_same_yes_delivered_twice_is_acted_on_once(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    phone = world.phone(ALEX)
    first = phone.text("YES", sid="SM" + "a" * 32)
    again = phone.text("YES", sid="SM" + "a" * 32)
    assert first.startswith("Thank you!") and again == ""
    assert record(world).state == "confirmed"


def test_two_yeses_at_once_from_one_host_confirm_once(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    replies = race(world, [ALEX, ALEX], "YES")
    assert sorted(r[:12] for r in replies) == ["Thank you! Y", "You're all s"], replies
    assert record(world).version == 2  # assigned (1) -> confirmed (2), once


def test_no_answer_by_the_deadline_seeks_a_cover(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    at(world, datetime.fromisoformat("2026-11-23T17:59:00-05:00"))
    assert record(world).state == "assigned" and world.texts_to(SAM) == []
    at(world, DEADLINE)
    assert record(world).state == "uncovered"
    assert world.texts_to(COORD) == [
        "Harm Reduction Works-HRW: +1******0101 hasn't answered about hosting Tuesday Night "
        "at the Library, tomorrow 6pm EST. We're asking the group's other hosts to cover."
    ]
    assert len(world.texts_to(SAM)) == 1 and len(world.texts_to(KIM)) == 1
    # The assigned host can still take it back before anyone covers it.
    back = world.phone(ALEX).text("YES")
    assert back.startswith("Thank you! You're hosting") and "after all" in back
    world.work()
    assert world.texts_to(COORD)[-1].endswith(
        "+1******0101 will host Tuesday Night at the Library, tomorrow 6pm EST after all."
    )
    assert world.texts_to(SAM)[-1].endswith("is covered now, no need to reply.")
    assert world.phone(SAM).text("yes").startswith("Thanks for offering!")
    assert record(world).state == "confirmed"
    at(world, LAST_PROMPT)  # unconfirmed-then-confirmed: a plain reminder
    assert world.texts_to(ALEX)[-1].startswith("Harm Reduction Works-HRW: thank you for hosting")


def test_the_last_prompt_carries_the_exercise(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    phone = world.phone(ALEX)
    phone.text("YES")
    reply = phone.text("EXERCISE We read “Harm reduction is love” aloud, then talk about it.")
    assert reply.startswith("Thanks! Your exercise for Tuesday Night at the Library")
    at(world, LAST_PROMPT)
    last = world.texts_to(ALEX)[-1]
    assert last.endswith(
        'Your exercise: We read "Harm reduction is love" aloud, then talk about it.'
    )
    assert world.redis.ttl(keys.exercise("forbes-tuesday|2026-11-24")) > 0  # gone after it


def test_an_unanswered_host_is_asked_again_in_the_last_prompt(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    at(world, LAST_PROMPT)  # the deadline passed unanswered; nobody covered
    last = world.texts_to(ALEX)[-1]
    assert last.startswith("Harm Reduction Works-HRW: hi again! Can you still host")
    assert "EXERCISE" in last


# --- the cover race ---


def race(world: World, numbers: list[str], body: str) -> list[str]:
    """Post the same text from each number at the same moment (threads behind a barrier)."""
    barrier = threading.Barrier(len(numbers))
    replies: list[str] = [""] * len(numbers)

    def post(i: int, number: str) -> None:
        phone = world.phone(number)
        barrier.wait()
        replies[i] = phone.text(body)

    threads = [threading.Thread(target=post, args=(i, n)) for i, n in enumerate(numbers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return replies


def open_for_cover(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    world.phone(ALEX).text("NO")
    world.work()


def test_two_hosts_answering_yes_at_the_same_moment_exactly_one_gets_it(world: World) -> None:
    open_for_cover(world)
    replies = race(world, [SAM, KIM], "YES")
    won = [r for r in replies if "is yours to host" in r]
    lost = [r for r in replies if r.startswith("Thanks for offering!")]
    assert len(won) == 1 and len(lost) == 1, replies
    winner = SAM if "is yours" in replies[0] else KIM
    rec = record(world)
    assert (rec.state, rec.cover) == ("covered", nid(world, winner))
    world.work()
    assert len([t for t in world.texts_to(COORD) if "is covering" in t]) == 1


def test_a_yes_that_loses_between_reading_and_writing_is_replayed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kim's YES lands after Sam read the record and before Sam's write: Sam's answer is
    replayed on the fresh state and told it is covered, never that it is theirs."""
    open_for_cover(world)
    original = conversations.caller_from
    calls = []

    def load_then_kim_answers(*args, **kwargs):
        loaded = original(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            rec = record(world)
            assert hosts.answer(world.redis, nid(world, KIM), rec.meeting, rec.day,
                                rec.version, "covered")  # fmt: skip
        return loaded

    monkeypatch.setattr(conversations, "caller_from", load_then_kim_answers)
    assert world.phone(SAM).text("YES").startswith("Thanks for offering!")
    assert len(calls) == 2
    assert record(world).cover == nid(world, KIM)


def test_the_store_claim_admits_exactly_one_of_many(world: World) -> None:
    open_for_cover(world)
    rec = record(world)
    contenders = [f"+1413555{n:04d}" for n in range(200, 216)]
    services = svc(world)
    for number in contenders:
        hosts.add_host(world.redis, services.number_id(number), number, GROUP)
    barrier = threading.Barrier(len(contenders))
    results: dict[str, bool] = {}

    def claim(number: str) -> None:
        barrier.wait()
        results[number] = hosts.answer(
            world.redis, services.number_id(number), rec.meeting, rec.day, rec.version, "covered"
        )

    threads = [threading.Thread(target=claim, args=(n,)) for n in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    winners = [n for n, won in results.items() if won]
    assert len(results) == len(contenders) and len(winners) == 1
    assert record(world).cover == services.number_id(winners[0])


# --- re-checks at run time ---


def test_a_removed_meeting_sends_nothing(world: World) -> None:
    assign(world, ALEX)
    others = [m for m in MEETINGS if m["slug"] != "forbes-tuesday"]
    DirectoryStore(world.redis).import_feed(feed_text(others), prune=True)
    at(world, FIRST_PROMPT)
    at(world, DEADLINE)
    at(world, LAST_PROMPT)
    assert world.fake.sends() == []


def test_reassigning_prompts_only_the_new_host(world: World) -> None:
    assign(world, ALEX)
    assign(world, SAM)
    at(world, FIRST_PROMPT)
    assert world.texts_to(ALEX) == [] and len(world.texts_to(SAM)) == 1
    assert world.phone(ALEX).text("YES").startswith("There's nothing waiting for a yes")


# --- quiet hours (default 21-8, local to the group) ---

MONDAY_NIGHT = datetime.fromisoformat("2026-11-23T22:30:00-05:00")
TUESDAY_MORNING = datetime.fromisoformat("2026-11-24T08:00:00-05:00")


def test_a_night_assignment_is_asked_when_quiet_hours_end(world: World) -> None:
    world.clock.set(MONDAY_NIGHT)
    assign(world, ALEX)
    world.work()
    at(world, datetime.fromisoformat("2026-11-24T07:59:00-05:00"))
    assert world.texts_to(ALEX) == []
    at(world, TUESDAY_MORNING)
    (ask,) = world.texts_to(ALEX)
    assert ask.startswith("Harm Reduction Works-HRW: hi! You're on the roster to host")
    # The deadline is halfway from the morning's question to the 6pm start, not from 22:30.
    at(world, datetime.fromisoformat("2026-11-24T12:59:00-05:00"))
    assert record(world).state == "assigned"
    at(world, datetime.fromisoformat("2026-11-24T13:00:00-05:00"))
    assert record(world).state == "uncovered"


def test_a_meeting_that_starts_before_quiet_hours_end_is_asked_at_once(world: World) -> None:
    early = {**MEETINGS[0], "slug": "forbes-sunrise", "name": "Sunrise Circle", "day": 3,
             "time": "07:30", "end_time": "08:30"}  # fmt: skip
    DirectoryStore(world.redis).import_feed(feed_text([*MEETINGS, early]))
    world.clock.set(datetime.fromisoformat("2026-11-24T23:00:00-05:00"))  # Tue night
    assign(world, ALEX, "forbes-sunrise", date(2026, 11, 25))
    world.work()
    (ask,) = world.texts_to(ALEX)
    assert "Sunrise Circle" in ask and "Reply YES or NO" in ask


def test_a_no_at_night_asks_the_other_hosts_in_the_morning(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    at(world, MONDAY_NIGHT)
    assert world.phone(ALEX).text("NO").startswith("Thanks for letting us know")
    world.work()
    at(world, datetime.fromisoformat("2026-11-24T07:59:00-05:00"))
    assert world.texts_to(SAM) == [] and world.texts_to(KIM) == [] and world.texts_to(COORD) == []
    at(world, TUESDAY_MORNING)
    assert len(world.texts_to(SAM)) == 1 and len(world.texts_to(KIM)) == 1
    (told,) = world.texts_to(COORD)
    assert "today 6pm EST" in told and "asking the group's other hosts" in told


def test_quiet_hours_are_the_groups_own(world: World) -> None:
    """22:30 in Massachusetts is 19:30 in Oakland: the Oakland host is asked at once."""
    services = svc(world)
    hosts.add_host(world.redis, nid(world, SAM), SAM, "hrw-en-espanol")
    world.clock.set(MONDAY_NIGHT)
    assign(world, SAM, "oakland-espanol", TUESDAY)
    world.work()
    assert len(world.texts_to(SAM)) == 1
    assert services.settings.quiet_hours is not None


def test_a_cancellation_at_night_reaches_the_host_in_the_morning(world: World) -> None:
    from hrw_sms.handlers import cancellations

    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    world.phone(ALEX).text("YES")
    at(world, MONDAY_NIGHT)
    services = svc(world)
    cancellations.cancel(
        services,
        cancellations.plan(services, "forbes-tuesday", TUESDAY),
        actor=COORD,
        channel="cli",
    )
    world.work()
    assert len(world.texts_to(ALEX)) == 1  # the first prompt only
    at(world, TUESDAY_MORNING)
    # Written for the morning it arrives: "today", not the night before's "tomorrow".
    assert "Tuesday Night at the Library, today 6pm EST, is cancelled" in world.texts_to(ALEX)[-1]


def test_a_prompt_held_past_the_next_one_is_left_to_it() -> None:
    start = datetime.fromisoformat("2026-11-24T15:00:00+00:00")  # 10am EST
    leads = (timedelta(hours=48), timedelta(hours=2))
    night = datetime.fromisoformat("2026-11-23T23:00:00-05:00")
    morning = datetime.fromisoformat("2026-11-24T08:00:00-05:00")  # = the 2h lead

    def allowed(at: datetime) -> datetime:
        return morning if night <= at < morning else at

    assert prompt_times(leads, start, night, allowed) == [(1, morning)]  # one text, not two


def test_planning_twice_schedules_nothing_twice(world: World) -> None:
    assign(world, ALEX)
    services = svc(world)
    assert plan_hosts(services) == 0  # the assignment planned it already
    assert plan_occurrence(services, "forbes-tuesday", TUESDAY) == 0
    at(world, FIRST_PROMPT)
    at(world, FIRST_PROMPT)
    assert len(world.texts_to(ALEX)) == 1


def test_the_tick_plans_an_assignment_made_without_planning(world: World) -> None:
    services = svc(world)
    directory = services.directory.load()
    hosts.assign(world.redis, directory, "forbes-tuesday", TUESDAY, nid(world, ALEX), NOW)
    assert plan_hosts(services) == 3  # two prompts and the deadline
    at(world, FIRST_PROMPT)
    assert len(world.texts_to(ALEX)) == 1


def test_a_cancelled_occurrence_tells_the_host_and_prompts_no_more(world: World) -> None:
    from hrw_sms.handlers import cancellations

    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    world.phone(ALEX).text("YES")
    services = svc(world)
    chosen = cancellations.plan(services, "forbes-tuesday", TUESDAY)
    cancellations.cancel(services, chosen, actor=COORD, channel="cli")
    world.work()
    assert world.texts_to(ALEX)[-1].startswith(
        "Harm Reduction Works-HRW: Tuesday Night at the Library, Tue 11/24 6pm EST, is cancelled"
    )
    at(world, LAST_PROMPT)
    assert len(world.texts_to(ALEX)) == 2
    assert (
        world.phone(ALEX)
        .text("NO")
        .startswith("Tuesday Night at the Library, today 6pm EST, is cancelled, so there's nothing")
    )


# --- FORGET ---


def test_forget_by_a_host_erases_their_host_data(world: World) -> None:
    assign(world, ALEX)
    at(world, FIRST_PROMPT)
    alex = nid(world, ALEX)
    phone = world.phone(ALEX)
    phone.text("EXERCISE a reading")
    phone.text("FORGET")
    assert phone.text("YES").startswith("Done: we erased")
    assert hosts.hosting_of(world.redis, "forbes-tuesday", TUESDAY) is None
    assert not world.redis.exists(keys.exercise("forbes-tuesday|2026-11-24"))
    assert alex not in hosts.hosts_of(world.redis, GROUP)
    # Outbound claims and status records (no body, no number) are the sending path's own,
    # kept 30 days so a retry never sends twice.
    outbound = (keys.outbound(""), keys.outbound_claim(""))
    leftovers = [k.decode() for k in world.redis.keys(f"*{alex}*")]
    leftovers = [k for k in leftovers if not k.startswith(outbound)]
    assert leftovers == [], leftovers
    for key in world.redis.keys("hrw:host:*"):
        kind = world.redis.type(key)
        if kind == b"set":
            assert not world.redis.sismember(key, alex), key
        if kind == b"zset":
            assert world.redis.zscore(key, alex) is None, key
    at(world, LAST_PROMPT)
    assert len(world.texts_to(ALEX)) == 1  # nothing after FORGET


def test_forget_by_the_cover_reopens_the_meeting(world: World) -> None:
    open_for_cover(world)
    world.phone(SAM).text("YES")
    phone = world.phone(SAM)
    phone.text("FORGET")
    phone.text("YES")
    rec = record(world)
    assert rec.state == "uncovered" and rec.cover is None


def test_when_the_cover_leaves_a_cover_is_sought_again(world: World) -> None:
    """The cover's FORGET (or removal) reopens the meeting: the other hosts are asked again
    and the coordinator is told why, never a silent meeting without a host."""
    open_for_cover(world)
    world.phone(SAM).text("YES")
    world.work()
    asked_before = len(world.texts_to(KIM))
    told_before = len(world.texts_to(COORD))
    sam_before = len(world.texts_to(SAM))
    phone = world.phone(SAM)
    phone.text("FORGET")
    phone.text("YES")
    plan_hosts(svc(world))  # what the minute tick does: plans the new search
    world.work()
    rec = record(world)
    assert rec.state == "uncovered" and rec.cover_left and rec.sought == rec.round == 2
    again = world.texts_to(KIM)[asked_before:]
    assert len(again) == 1 and "cover" in again[0].lower(), again
    (told,) = world.texts_to(COORD)[told_before:]
    assert "the host who was covering" in told and "asking the group's other hosts" in told
    assert len(world.texts_to(SAM)) == sam_before  # the one who left is not asked


def test_a_meeting_moved_to_a_new_time_is_prompted_at_the_new_time(world: World) -> None:
    assign(world, ALEX)
    moved = [{**m, "time": "19:00", "end_time": "20:30"} if m["slug"] == "forbes-tuesday" else m
             for m in MEETINGS]  # fmt: skip
    DirectoryStore(world.redis).import_feed(feed_text(moved))
    assert plan_hosts(svc(world)) == 3  # what the minute tick does: the new time's jobs
    at(world, FIRST_PROMPT)
    assert world.texts_to(ALEX) == []  # the old time's prompt stands down
    at(world, datetime.fromisoformat("2026-11-22T19:00:00-05:00"))
    (ask,) = world.texts_to(ALEX)
    assert "Tuesday Night at the Library, Tue 11/24 7pm EST" in ask


# --- every write to a hosting record is checked against its version ---


def test_bookkeeping_marks_write_nothing_on_a_record_that_moved_on(world: World) -> None:
    assign(world, ALEX)
    stale = record(world)
    assert hosts.time_out(world.redis, stale)  # the deadline passed: uncovered, round 1
    marked = hosts.mark_prompted(world.redis, stale)
    assert record(world).prompted is None  # not ALEX: that was the old version's business
    assert marked is False
    moved = record(world)
    assert hosts.answer(world.redis, nid(world, SAM), "forbes-tuesday", TUESDAY,
                        moved.version, "covered")  # fmt: skip
    marked = hosts.mark_sought(world.redis, moved)
    assert record(world).sought == 0
    assert marked is False
    fresh = record(world)
    assert hosts.mark_sought(world.redis, fresh) is True
    assert record(world).sought == fresh.round == 1
    assert record(world).version == fresh.version  # bookkeeping leaves the version alone


def test_a_mark_on_a_dropped_record_leaves_no_key_behind(world: World) -> None:
    assign(world, ALEX)
    rec = record(world)
    assert hosts.remove_host(world.redis, nid(world, ALEX), GROUP, world.clock()) == 1
    marks = (hosts.mark_prompted(world.redis, rec), hosts.mark_sought(world.redis, rec))
    assert not world.redis.exists(keys.hosting(rec.name))  # no key without an expiry
    assert marks == (False, False)


def test_unassigning_a_record_answered_meanwhile_drops_nothing(world: World) -> None:
    assign(world, ALEX)
    stale = record(world)
    assert hosts.answer(world.redis, nid(world, ALEX), "forbes-tuesday", TUESDAY,
                        stale.version, "confirmed")  # fmt: skip
    assert hosts._unassign(world.redis, stale) == 0
    assert record(world).state == "confirmed"
