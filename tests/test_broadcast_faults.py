"""Broadcast faults (issue 4): a worker SIGKILLed halfway through a broadcast to 2,000, STOP
in the middle of one, a 429 storm, 21610 for some numbers, and the CLI's progress with final
failures. Real Redis, real RQ workers (`hrw-sms worker` subprocesses where a process dies or
real time matters), the real twilio library against the fake API over HTTP."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from rq import SimpleWorker
from rq.registry import StartedJobRegistry

from hrw_sms.base.config import Settings
from hrw_sms.handlers import broadcasts
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.jobs.scheduling import release_due
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import keys, optouts, subscriptions
from tests import test_worker_process
from tests.fake_twilio import FakeTwilio
from tests.feeds import feed_text
from tests.test_worker_faults import HookedTwilio, assert_queues_settled
from tests.test_worker_process import ROOT, WorkerProcess, in_flight, wait_until, worker_env
from tests.worker_world import Clock, World
from workers import outbound
from workers.outbound import status_of
from workers.worker import JOB_MONITORING_INTERVAL, build_worker

GROUP = "hrw-northampton"  # its meeting: forbes-tuesday
MEETING = "forbes-tuesday"
OTHER_MEETING = "online-lunch"  # group hrw-online
NOW = datetime.fromisoformat("2026-11-24T10:00:00-05:00")
FINAL_TEXT = "HRW Northampton: {}\nReply STOP to end texts."

start_worker = test_worker_process.start_worker  # the fixture: `hrw-sms worker` subprocesses


def numbers(first: int, count: int) -> list[str]:
    return [f"+1617555{n:04d}" for n in range(first, first + count)]


def seed(client: redis.Redis, services: Services, people: list[str], meeting: str = MEETING):
    """Subscribe numbers directly (what REMIND does), without the conversation."""
    for number in people:
        subscriptions.subscribe(client, services.number_id(number), number, meeting)


def start_broadcast(services: Services, message: str) -> int:
    draft = broadcasts.prepare(services, GROUP, message)
    return broadcasts.start(services, draft, actor=None, channel="cli")


def settled_count(client: redis.Redis, broadcast_id: int) -> int:
    found = broadcasts.progress(client, broadcast_id)
    assert found is not None
    return found.total - found.queued


def settled_is(client: redis.Redis, broadcast_id: int, count: int) -> Callable[[], bool]:
    """A condition for wait_until that reads progress at most every 0.3 s (it reads every
    recipient's record: polled every 50 ms it would slow the worker it is waiting for)."""
    last = [0.0]

    def check() -> bool:
        if time.monotonic() - last[0] < 0.3:
            return False
        last[0] = time.monotonic()
        return settled_count(client, broadcast_id) == count

    return check


def per_recipient(fake: FakeTwilio, body: str) -> Counter[str]:
    """How many copies of this text each number got (messages made at the fake API)."""
    return Counter(r.to for r in fake.sends() if r.body == body)


# --- 1. SIGKILL halfway through a broadcast to 2,000 ---

SUBSCRIBERS = 2000
KILL_AT = 1100  # the request in flight when the worker dies: the third batch of 500


def test_sigkill_halfway_through_a_broadcast_to_2000_then_each_gets_exactly_one(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    """The worker dies while Twilio is making message 1,100 (made, never answered). After a
    restart: the batch that was running is run again (RQ's abandoned-job handling, moved on to
    the dead worker's lease end), the queued batches go, and the one in doubt is found on
    Twilio's list instead of being sent again. Real time is moved on for two things only: RQ's
    lease (about a minute: checked here, then cleaned up at its end as RQ's maintenance would)
    and the 30 s a doubtful send must be left alone (IN_FLIGHT_LIMIT): its record's start is
    set back instead of waiting."""
    client = redis.Redis.from_url(redis_url)
    with HookedTwilio() as fake:
        environ = worker_env(redis_url, fake, HRW_QUIET_HOURS="off", HRW_SEND_RATE="1000")
        DirectoryStore(client).import_feed(feed_text())
        services = Services(settings=Settings.from_env(environ), redis=client)
        people = numbers(0, SUBSCRIBERS)
        seed(client, services, people)
        fake.on_create = lambda to, n: fake.delay(600, create=True) if n == KILL_AT else None

        started = time.monotonic()
        bid = start_broadcast(services, "We moved to room 3 tonight.")
        body = FINAL_TEXT.format("We moved to room 3 tonight.")
        first = start_worker(environ)
        wait_until(lambda: len(fake.attempts()) >= KILL_AT, 60, "halfway", first)
        time.sleep(0.2)  # nothing else is sent while that request hangs
        first.kill()

        assert len(fake.attempts()) == KILL_AT
        victim = fake.attempts()[KILL_AT - 1].to or ""
        victim_id = broadcasts.message_id(bid, services.number_id(victim))
        assert status_of(client, victim_id)["status"] == "sending"
        assert settled_count(client, bid) == KILL_AT - 1
        [(queue_name, lease_end)] = in_flight(client)  # the third batch died with the worker
        # Its lease was kept fresh by the worker's heartbeats: it ends about a minute after
        # the crash, not BATCH_TIMEOUT + 60 s after the batch began (half an hour).
        assert lease_end - time.time() <= JOB_MONITORING_INTERVAL + 60 + 1

        second = start_worker(environ)
        # RQ's maintenance at the dead worker's lease end: the batch is retried (CRASH_RETRY)
        # a few seconds later; the scheduler's lock is still the dead one's, so release it here.
        StartedJobRegistry(queue_name, connection=client).cleanup(timestamp=lease_end)
        release_due(client, datetime.now(UTC) + timedelta(seconds=5))
        wait_until(settled_is(client, bid, SUBSCRIBERS - 1), 60, "all but one", second)
        # The rerun batch met a claim younger than IN_FLIGHT_LIMIT: the send was put back on
        # the schedule, not made again.
        assert len(fake.attempts(victim)) == 1
        assert status_of(client, victim_id)["status"] == "sending"

        aged = time.time() - outbound.IN_FLIGHT_LIMIT - 1
        client.hset(keys.outbound(victim_id), "started", repr(aged))
        release_due(client, datetime.now(UTC) + timedelta(seconds=outbound.IN_FLIGHT_LIMIT + 1))
        wait_until(settled_is(client, bid, SUBSCRIBERS), 30, "the last one", second)
        took = time.monotonic() - started

        copies = per_recipient(fake, body)
        assert [n for n in people if copies[n] == 0] == []  # no losses
        assert [n for n, c in copies.items() if c > 1] == []  # no duplicates
        assert set(copies) == set(people)
        assert len(fake.attempts()) == SUBSCRIBERS  # not one POST more
        assert fake.listed == [victim]  # the doubtful one was looked up, once
        record = status_of(client, victim_id)
        assert record["status"] == "sent" and record["sid"] == fake.attempts()[KILL_AT - 1].sid
        final = broadcasts.progress(client, bid)
        assert final is not None and (final.sent, final.failed, final.skipped) == (2000, 0, 0)
        assert in_flight(client) == []
        print(f"2,000 subscribers, SIGKILL and restart: settled in {took:.1f} s")


# --- in-process worlds: the web app, the fake API, a real SimpleWorker in this process ---


@pytest.fixture
def world(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr(SimpleWorker, "subscribe", lambda self: None)  # no pub/sub thread each
    clock = Clock(NOW)
    with HookedTwilio(clock=clock) as fake:
        w = World(redis_url, fake, clock, HRW_QUIET_HOURS="off")
        DirectoryStore(w.redis).import_feed(feed_text())
        yield w


def services_of(world: World) -> Services:
    return world.app.extensions["hrw"]


def recipients(client: redis.Redis, broadcast_id: int) -> list[str]:
    return [n.decode() for n in client.lrange(keys.broadcast_recipients(broadcast_id), 0, -1)]


def opted_out_state(client: redis.Redis, nid: str) -> tuple[bool, frozenset[str], str | None, bool]:
    """Everything STOP changes: the opt-out, the reminders, the address, group membership."""
    return (
        optouts.is_opted_out(client, nid),
        subscriptions.reminders_of(client, nid),
        subscriptions.number_of(client, nid),
        any(nid in subscriptions.meeting_subscribers(client, m) for m in (MEETING, OTHER_MEETING)),
    )


# --- 2. STOP in the middle of a broadcast ---


def test_stop_mid_broadcast_nothing_more_reaches_that_number(world: World) -> None:
    """600 subscribers, two batches. While the first batch runs, two people text STOP through
    the signed webhook: one later in the same batch, one in the next. Between the batches one
    more texts STOP and a fourth is put on the opt-out list directly (as a 21610 on some other
    text would). None of the four is even tried; everyone else gets exactly one copy."""
    client, fake = world.redis, world.fake
    services = services_of(world)
    people = numbers(0, 600)
    seed(client, services, people)
    number_of = {services.number_id(n): n for n in people}
    bid = start_broadcast(services, "Snacks tonight.")
    body = FINAL_TEXT.format("Snacks tonight.")
    order = [number_of[nid] for nid in recipients(client, bid)]  # the order they are sent in
    same_batch, next_batch, between, listed = order[300], order[550], order[560], order[570]

    def stop_midway(to: str, n: int) -> None:
        if n == 50:
            world.phone(same_batch).text("STOP")  # answered 200 (the carrier confirms STOP)
            world.phone(next_batch).text("STOP")

    fake.on_create = stop_midway
    build_worker(world.runtime).work(burst=True, max_jobs=1, logging_level="WARNING")  # batch 1
    fake.on_create = None
    assert len(fake.attempts()) == 499  # 500 in the batch, less the one who said STOP
    world.phone(between).text("STOP")
    optouts.opt_out(client, services.number_id(listed))
    world.work()  # batch 2

    victims = [same_batch, next_batch, between, listed]
    for number in victims:
        assert fake.attempts(number) == [], number
    copies = per_recipient(fake, body)
    assert all(copies[n] == 1 for n in people if n not in victims)
    assert sum(copies.values()) == len(people) - len(victims)

    def record(number: str) -> tuple[str, str]:
        found = status_of(client, broadcasts.message_id(bid, services.number_id(number)))
        return found["status"], found["reason"]

    # Within the running batch the opt-out list stops it; in a later batch the number is
    # already gone from the subscriptions (STOP ends them); the listed one is still
    # subscribed, but opted out.
    assert record(same_batch) == ("skipped", "opted out")
    assert record(next_batch) == record(between) == ("skipped", "no longer subscribed")
    assert record(listed) == ("skipped", "opted out")
    progress = broadcasts.progress(client, bid)
    assert progress is not None and progress.done
    assert (progress.sent, progress.skipped, progress.failed) == (596, 4, 0)
    assert_queues_settled(client)

    # The next broadcast leaves all four out from the start.
    draft = broadcasts.prepare(services, GROUP, "Room 3 again.")
    assert draft.recipients == 596
    broadcasts.start(services, draft, actor=None, channel="cli")
    world.work()
    assert all(fake.attempts(n) == [] for n in victims)
    assert len(fake.sends()) == 2 * 596


# --- 3. a 429 storm, at the allowed rate ---

RATE = 40  # HRW_SEND_RATE: segments per second; the bucket holds one second's worth
STORM_PEOPLE = 200
STORM_SECONDS = 2.0


def most_in_any_window(times: list[float], rate: float, slack: float) -> float:
    """The largest excess of requests over burst + rate * (window + slack), over all windows
    between two arrivals (0 or less: the rate was kept)."""
    times = sorted(times)
    worst = float("-inf")
    for i, first in enumerate(times):
        for j in range(i, len(times)):
            allowed = rate + rate * (times[j] - first + slack)  # burst = one second's worth
            worst = max(worst, (j - i + 1) - allowed)
    return worst


def test_a_429_storm_then_everything_goes_out_at_the_allowed_rate(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    """Two real worker processes share HRW_SEND_RATE=40. Every request for the first 2 s of the
    broadcast is answered 429; the texts are retried with backoff until all are sent, once
    each, and the requests as they arrive at the API (429s included: each took its tokens)
    never exceed the rate plus the bucket, in any window."""
    client = redis.Redis.from_url(redis_url)
    with HookedTwilio() as fake:
        environ = worker_env(redis_url, fake, HRW_QUIET_HOURS="off", HRW_SEND_RATE=str(RATE))
        DirectoryStore(client).import_feed(feed_text())
        services = Services(settings=Settings.from_env(environ), redis=client)
        people = numbers(5000, STORM_PEOPLE)
        seed(client, services, people)
        fake.on_create = lambda to, n: fake.rate_limit(seconds=STORM_SECONDS) if n == 1 else None
        workers = [start_worker(environ), start_worker(environ)]
        time.sleep(1.0)  # both up before the broadcast starts
        bid = start_broadcast(services, "Storm test.")
        wait_until(settled_is(client, bid, STORM_PEOPLE), 90, "every text settled", workers[0])

        attempts = fake.attempts()
        statuses = Counter(r.status for r in attempts)
        assert statuses[429] >= RATE  # a real storm: at least a whole bucket refused
        assert statuses[201] == STORM_PEOPLE and set(statuses) == {201, 429}
        assert per_recipient(fake, FINAL_TEXT.format("Storm test.")) == Counter(people)
        times = [r.time for r in attempts]
        span = max(times) - min(times)
        # Over the whole run: no more than the bucket plus the rate.
        assert len(times) <= RATE + RATE * span + 1, (len(times), span)
        # In any window: the same, with 0.25 s for requests that reach the API late.
        assert most_in_any_window(times, RATE, slack=0.25) <= 1
        # And not much slower than the rate allows: the storm, its backoffs, then the rate.
        assert span < STORM_SECONDS + 8 + len(times) / RATE, span
        final = broadcasts.progress(client, bid)
        assert final is not None and (final.sent, final.failed, final.skipped) == (200, 0, 0)
        print(f"{len(times)} requests ({statuses[429]} answered 429) in {span:.1f} s")


# --- 4. 21610 for some numbers ---


def test_21610_during_a_broadcast_makes_those_numbers_opt_outs_and_spares_the_rest(
    world: World,
) -> None:
    client, fake = world.redis, world.fake
    services = services_of(world)
    people = numbers(6000, 40)
    carrier_stopped = people[5:9]
    texted_stop = numbers(6100, 1)[0]  # for comparison: the same state as STOP gives
    seed(client, services, [*people, texted_stop])
    seed(client, services, [*carrier_stopped[:2], texted_stop], OTHER_MEETING)
    for number in carrier_stopped:
        fake.fail_number(number, 21610)
    world.phone(texted_stop).text("STOP")

    bid = start_broadcast(services, "Holiday hours.")
    world.work()
    body = FINAL_TEXT.format("Holiday hours.")
    rest = [n for n in people if n not in carrier_stopped]
    copies = per_recipient(fake, body)
    assert all(copies[n] == 1 for n in rest) and sum(copies.values()) == len(rest)
    stopped_state = opted_out_state(client, services.number_id(texted_stop))
    assert stopped_state == (True, frozenset(), None, False)
    for number in carrier_stopped:
        assert len(fake.attempts(number)) == 1 and fake.sends(number) == []
        nid = services.number_id(number)
        assert opted_out_state(client, nid) == stopped_state  # exactly like STOP
        found = status_of(client, broadcasts.message_id(bid, nid))
        assert (found["status"], found["reason"], found["error_code"]) == (
            "failed", "opted out at the carrier", "21610",
        )  # fmt: skip
    for number in rest:  # untouched by the others' 21610s
        nid = services.number_id(number)
        assert opted_out_state(client, nid) == (False, frozenset({MEETING}), number, True)
    progress = broadcasts.progress(client, bid)
    assert progress is not None and progress.done
    assert (progress.total, progress.sent, progress.failed, progress.skipped) == (40, 36, 4, 0)
    assert_queues_settled(client)

    # Later broadcasts, to this group and to the other one, leave them out from the start.
    assert broadcasts.prepare(services, GROUP, "Again.").recipients == len(rest)
    assert broadcasts.prepare(services, "hrw-online", "Hello.").recipients == 0
    second = start_broadcast(services, "Again.")
    world.work()
    assert all(len(fake.attempts(n)) == 1 for n in carrier_stopped)
    assert per_recipient(fake, FINAL_TEXT.format("Again.")) == Counter(rest)
    assert set(recipients(client, second)) == {services.number_id(n) for n in rest}


# --- 5. the CLI follows progress to the end, final failures included ---


def run_in_terminal(argv: list[str], environ: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run a command with a terminal for its output (so click draws its progress bar);
    its exit code and everything it wrote."""
    main, side = pty.openpty()
    proc = subprocess.Popen(
        argv, env={**environ, "COLUMNS": "120"}, cwd=ROOT, stdin=subprocess.DEVNULL,
        stdout=side, stderr=side, start_new_session=True,
    )  # fmt: skip
    os.close(side)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.1)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:  # the other side closed: the command has exited
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    else:
        proc.kill()
        proc.wait(10)
        os.close(main)
        raise AssertionError(f"not done within {timeout} s: {b''.join(chunks).decode()}")
    os.close(main)
    code = proc.wait(10)
    return code, b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")


def test_cli_broadcast_progress_reaches_the_end_when_some_finally_fail(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    """`hrw-sms broadcast --yes` as an operator runs it, beside a real worker: two numbers
    are invalid (21211), one was unsubscribed at the carrier (21610) and a few requests get
    503 first (retried, so not final until sent). The progress bar follows until every text
    is sent or finally failed, then the CLI exits on its own with the counts."""
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        environ = worker_env(redis_url, fake, HRW_QUIET_HOURS="off")
        DirectoryStore(client).import_feed(feed_text())
        services = Services(settings=Settings.from_env(environ), redis=client)
        people = numbers(7000, 30)
        seed(client, services, people)
        for number in people[3:5]:
            fake.fail_number(number, 21211)
        fake.fail_number(people[10], 21610)
        fake.server_errors(4, 503)
        worker = start_worker(environ)
        started = time.monotonic()
        code, out = run_in_terminal(
            [sys.executable, "-m", "hrw_sms", "broadcast", "--group", GROUP,
             "Meeting moved to 7pm.", "--yes"],
            environ, timeout=90,
        )  # fmt: skip
        took = time.monotonic() - started
        assert code == 0, out + worker.output()
        assert "Broadcast 1 queued for 30 subscribers." in out
        # The bar as the operator sees it, drawn to the end: every text settled.
        assert re.search(r"Sending +\[#+\] +30/30", out), out
        assert out.rstrip().endswith(
            "Broadcast 1 to hrw-northampton: 30 in all, 0 queued, 27 sent, 0 delivered, "
            "3 failed, 0 skipped"
        ), out
        # What the bar said is what happened.
        assert len(fake.sends()) == 27 and Counter(r.status for r in fake.attempts())[503] == 4
        assert took < 60


# --- a batch taken back from a dead worker finishes cleanly ---


def test_a_batch_rerun_after_its_worker_died_finishes_as_a_success(world: World) -> None:
    """A worker died in a batch; by the time RQ's maintenance hands the batch back (its lease
    lapsed, about a minute), the dead execution's record has expired too, but it is still
    listed for the job for another minute. RQ 3.0 fetches every listed execution when a
    finished job is deleted and fails on the missing one: the rerun batch, every text of it
    handled, was recorded as failed and run again, up to CRASH_RETRY's count, with an ERROR
    traceback each time (seen in bench/run_broadcast_bench.py's real-time SIGKILL round)."""
    client, fake = world.redis, world.fake
    services = services_of(world)
    people = numbers(8000, 20)
    seed(client, services, people)
    bid = start_broadcast(services, "After the crash.")
    bulk = queues.queue(client, queues.BULK)
    [job_id] = bulk.job_ids
    job = bulk.fetch_job(job_id)
    assert job is not None
    # The dead worker: it took the batch, started it and died without a trace.
    dead = build_worker(world.runtime, name="dead-worker")
    client.lrem(bulk.key, 0, job_id)
    execution = dead.prepare_execution(job)
    dead.prepare_job_execution(job)
    client.delete(execution.key)  # its record's TTL (the lease) has run out
    started = StartedJobRegistry(queues.BULK, connection=client)
    started.cleanup(timestamp=time.time() + 3600)  # RQ's maintenance: abandoned, retried
    assert started.count == 0

    # RQ scheduled the retry on the real clock, not the world's: release it by that clock.
    assert release_due(client, datetime.now(UTC) + timedelta(hours=1)) == 1
    world.work()  # run by a live worker
    assert per_recipient(fake, FINAL_TEXT.format("After the crash.")) == Counter(people)
    final = broadcasts.progress(client, bid)
    assert final is not None and final.sent == len(people)
    assert bulk.fetch_job(job_id) is None  # finished, and gone (result_ttl=0)
    assert_queues_settled(client)  # nothing failed, nothing scheduled again


# --- a broadcast makes way for a person's reply ---


def test_a_broadcast_batch_makes_way_for_a_reply_and_still_reaches_everyone_once(
    world: World,
) -> None:
    """The carrier answers slowly (a second a text on the test clock). A reply queued while a
    batch is being sent goes next, not after the rest of the batch; the batch finishes after
    it, and the broadcast counts every recipient once."""
    client, fake = world.redis, world.fake
    services = services_of(world)
    people = numbers(8100, 12)
    seed(client, services, people)
    asker = "+14135551899"

    def slow_carrier(to: str, n: int) -> None:
        world.clock.advance(seconds=1)
        if n == 3:
            queues.enqueue_text(
                client, "reply:urgent", asker, "Here is the list you asked for.", "reply"
            )

    fake.on_create = slow_carrier
    bid = start_broadcast(services, "Room 3 tonight.")
    world.work()
    fake.on_create = None
    order = [r.to for r in fake.sends()]
    assert order.index(asker) <= 4
    assert per_recipient(fake, FINAL_TEXT.format("Room 3 tonight.")) == Counter(people)
    final = broadcasts.progress(client, bid)
    assert final is not None and (final.sent, final.queued) == (len(people), 0)
    assert not client.hexists(keys.broadcast(bid), "body")  # every batch done: body dropped
    assert_queues_settled(client)
