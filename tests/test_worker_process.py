"""The real `hrw-sms worker` in a subprocess (with RQ's scheduler), against the fake Twilio API
over HTTP: queued texts, retries on the real clock, a reminder released by the scheduler, and
a SIGKILL in the middle of a batch."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from rq.registry import StartedJobRegistry

from hrw_sms.base.config import Settings
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.jobs.scheduling import release_due, schedule_once
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import keys
from hrw_sms.store.subscriptions import subscribe
from tests.fake_twilio import AUTH_TOKEN, FakeTwilio
from tests.feeds import feed_text
from tests.worker_world import env
from workers import outbound
from workers.outbound import status_of
from workers.reminder_plans import plan_meeting
from workers.runtime import Runtime
from workers.twilio_client import build_client
from workers.worker import build_worker

ROOT = Path(__file__).resolve().parents[1]
NY = "America/New_York"
SLOW = bool(os.environ.get("HRW_SLOW_TESTS"))


def worker_env(redis_url: str, fake: FakeTwilio, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HRW_"))}
    return {
        **clean,
        **env(redis_url, fake, **extra),
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,  # the worker talks to the fake API with its token
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }


class WorkerProcess:
    """`hrw-sms worker` in its own process group (the worker and its scheduler process)."""

    def __init__(self, environ: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from hrw_sms.cli import main; main()", "worker"],
                env=environ,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started = time.time()

    def kill(self) -> None:
        """SIGKILL, as a machine or container dying would: the worker and its scheduler."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        with contextlib.suppress(ProcessLookupError):  # a scheduler left by a killed worker
            os.killpg(self.proc.pid, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(environ: dict[str, str]) -> WorkerProcess:
        worker = WorkerProcess(environ, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_until(
    condition: Callable[[], object], seconds: float, what: str, worker: WorkerProcess
) -> float:
    """Poll until `condition()` holds; the time it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not within {seconds} s: {what}\n{worker.output()}")
        if worker.proc.poll() is not None:
            raise AssertionError(f"the worker exited ({worker.proc.returncode})\n{worker.output()}")
        time.sleep(0.05)
    return time.monotonic() - start


def numbers(first: int, count: int) -> list[str]:
    return [f"+1503555{n:04d}" for n in range(first, first + count)]


def queue_texts(
    client: redis.Redis, prefix: str, people: list[str], kind: str = "reply"
) -> list[str]:
    ids = []
    for i, number in enumerate(people):
        mid = queues.message_id(prefix, str(i))
        timezone = NY if kind in ("reminder", "bulk") else None
        body = f"HRW test text {i} ({prefix})."
        assert queues.enqueue_text(client, mid, number, body, kind, timezone=timezone)
        ids.append(mid)
    return ids


def settled(client: redis.Redis, ids: list[str]) -> list[str]:
    pipe = client.pipeline(transaction=False)
    for mid in ids:
        pipe.hget(f"hrw:out:msg:{mid}", "status")
    return [
        mid
        for mid, st in zip(ids, pipe.execute(), strict=True)
        if st and st.decode() in keys.SETTLED
    ]


def test_the_worker_sends_queued_texts_and_retries_within_seconds(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        people = numbers(1000, 40)
        ids = queue_texts(client, "queued", people)
        fake.rate_limit(count=2)
        fake.server_errors(2, 503)
        worker = start_worker(worker_env(redis_url, fake))
        wait_until(lambda: len(settled(client, ids)) == len(ids), 30, "all settled", worker)

        assert Counter(r.to for r in fake.sends()) == Counter(people)  # each exactly once
        assert all(status_of(client, mid)["status"] == "sent" for mid in ids)
        retried = [n for n in people if len(fake.attempts(n)) > 1]
        assert len(retried) == 4
        for number in retried:
            first, *_, last = fake.attempts(number)
            assert first.status in (429, 503) and last.status == 201
            # Backoff 1 s, then RQ's scheduler (1 s poll, whole-second times): within seconds.
            assert last.time - first.time < 4.0, last.time - first.time


def test_a_reminder_is_released_by_the_workers_scheduler(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        environ = worker_env(redis_url, fake, HRW_QUIET_HOURS="off", HRW_REMINDER_MINUTES="3")
        # A meeting starting in one to two minutes: its reminder (3 minutes ahead) is due now.
        start = datetime.now(ZoneInfo(NY)).replace(second=0, microsecond=0) + timedelta(minutes=2)
        meeting = {
            "name": "Right Now Circle",
            "slug": "right-now",
            "day": [0, 1, 2, 3, 4, 5, 6],
            "time": f"{start:%H:%M}",
            "timezone": NY,
            "types": ["O"],
            "group": "HRW Online",
            "conference_url": "https://meet.example.org/now",
        }
        DirectoryStore(client).import_feed(feed_text([meeting]))
        services = Services(settings=Settings.from_env(environ), redis=client)
        people = numbers(2000, 5)
        for number in people:
            subscribe(client, services.number_id(number), number, "right-now")
        assert plan_meeting(services, "right-now") == 2  # today's, due now, and tomorrow's
        worker = start_worker(environ)
        wait_until(lambda: len(fake.sends()) == len(people), 30, "reminders sent", worker)
        time.sleep(0.5)  # nothing more comes
        assert Counter(r.to for r in fake.sends()) == Counter(people)
        for request in fake.sends():
            assert (request.body or "").startswith("Harm Reduction Works-HRW reminder: Right Now")


def in_flight(client: redis.Redis) -> list[tuple[str, float]]:
    """(queue, the moment RQ may call the job abandoned) of each job still marked started."""
    entries = []
    for name in queues.ORDER:
        key = StartedJobRegistry(name, connection=client).key
        entries += [(name, score) for _, score in client.zrange(key, 0, -1, withscores=True)]
    return entries


BATCH = 300
KILL_AT = 120  # the request in flight when the worker dies


def test_sigkill_mid_batch_then_every_text_goes_out_once_after_a_restart(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    """Time is moved on for RQ alone: the dead worker's job is handed to StartedJobRegistry's
    cleanup at the moment its lease ends, instead of waiting for it (that bound is checked from
    the configuration in test_a_dead_workers_job_is_retried_within_two_minutes; the real-time
    runs are test_sigkill_in_real_time, HRW_SLOW_TESTS=1)."""
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        people = numbers(3000, BATCH)
        fake.delay(0.002, count=KILL_AT - 1, create=True)  # slowed a little
        fake.delay(600, count=1, create=True)  # made at "Twilio"; the answer never comes
        ids = queue_texts(client, "crash", people, kind="reminder")
        environ = worker_env(redis_url, fake, HRW_QUIET_HOURS="off")
        first = start_worker(environ)
        wait_until(lambda: len(fake.attempts()) >= KILL_AT, 60, "mid-batch", first)
        first.kill()

        victim = fake.attempts()[KILL_AT - 1].to
        victim_id = ids[people.index(victim or "")]
        assert len(settled(client, ids)) == KILL_AT - 1
        assert status_of(client, victim_id)["status"] == "sending"
        [(queue_name, lease_end)] = in_flight(client)

        second = start_worker(environ)
        # Everything that was still queued goes at once.
        wait_until(lambda: len(settled(client, ids)) == BATCH - 1, 60, "the rest", second)
        assert status_of(client, victim_id)["status"] == "sending"

        # The killed send: its attempt must be over (IN_FLIGHT_LIMIT) before anyone may look
        # at Twilio's list and decide; that much real time passes.
        began = float(status_of(client, victim_id)["started"])
        time.sleep(max(0.0, began + outbound.IN_FLIGHT_LIMIT + 0.5 - time.time()))
        # RQ's maintenance, at the moment the dead worker's lease ends: retried by CRASH_RETRY
        # (scheduled a few seconds on), released by the scheduler.
        StartedJobRegistry(queue_name, connection=client).cleanup(timestamp=lease_end)
        release_due(client, datetime.now(UTC) + timedelta(seconds=queues.CRASH_RETRY.intervals[0]))
        wait_until(lambda: len(settled(client, ids)) == BATCH, 30, "the killed one", second)

        status = status_of(client, victim_id)
        assert status["status"] == "sent" and status["sid"] == fake.attempts()[KILL_AT - 1].sid
        assert Counter(r.to for r in fake.sends()) == Counter(people)  # each exactly once
        assert len(fake.attempts()) == BATCH  # the killed one was found, not sent again
        assert in_flight(client) == []


@pytest.mark.skipif(not SLOW, reason="real time, 1.5 minutes each: HRW_SLOW_TESTS=1")
@pytest.mark.parametrize("made", [True, False], ids=["made-at-twilio", "lost-on-the-way"])
def test_sigkill_in_real_time(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess], made: bool
) -> None:
    """Nothing moved on: kill the worker while it waits for the answer to text 120 (which
    Twilio made, or never got), start another at once, and time how long the unfinished
    sends take to settle (README "Workers": within two minutes of a worker running again)."""
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        people = numbers(4000, BATCH)
        fake.delay(0.005, count=KILL_AT - 1, create=True)
        fake.delay(600, count=1, create=made)
        ids = queue_texts(client, "crash", people, kind="reminder")
        environ = worker_env(redis_url, fake, HRW_QUIET_HOURS="off")
        first = start_worker(environ)
        wait_until(lambda: len(fake.attempts()) >= KILL_AT, 60, "mid-batch", first)
        first.kill()
        assert len(in_flight(client)) == 1  # it died inside a job
        second = start_worker(environ)
        took = wait_until(lambda: len(settled(client, ids)) == BATCH, 170, "all settled", second)
        print(f"every text settled {took:.0f} s after the restart")
        assert Counter(r.to for r in fake.sends()) == Counter(people)  # each exactly once
        assert all(status_of(client, mid)["status"] == "sent" for mid in ids)
        assert took < 120


# --- how soon a dead worker's jobs come back ---

SCHEDULER_POLL = 1  # RQScheduler's default interval; its lock lives interval + 60 s


def test_a_dead_workers_job_is_retried_within_two_minutes(redis_url: str) -> None:
    """From the worker's configuration, the longest a started job waits after its worker died
    (README "Workers": within two minutes of a worker running again): its lease (a heartbeat + 60 s), then
    the next maintenance of a live worker, the first CRASH_RETRY interval, the scheduler's
    poll; and a dead worker's scheduler lock is taken over by that maintenance too."""
    client = redis.Redis.from_url(redis_url)
    worker = build_worker(Runtime(Settings.from_env({}, hash_key_required=False), client))
    send = queues.enqueue_text(client, "bound", "+15035550100", "Hello.", "reply")
    now = datetime.now(UTC)
    assert schedule_once(client, "bound", queues.REMINDERS, now, "builtins.print", keep_until=now)
    [plan] = queues.queue(client, queues.REMINDERS).scheduled_job_registry.get_job_ids()
    long_batch = queues.queue(client, queues.BULK).enqueue("builtins.print", job_timeout=30 * 60)
    assert send is not None
    jobs = [send, queues.queue(client, queues.REMINDERS).fetch_job(plan), long_batch]

    maintenance_every = worker.maintenance_interval + worker.dequeue_timeout  # idle, at worst
    scheduler_back = SCHEDULER_POLL + 60 + maintenance_every
    for job in jobs:
        lease = worker.get_heartbeat_ttl(job)
        retried = lease + maintenance_every + queues.CRASH_RETRY.intervals[0]
        bound = max(retried, scheduler_back) + SCHEDULER_POLL
        assert bound < 120, (job.func_name, job.timeout, lease, maintenance_every, bound)


def test_a_running_job_keeps_its_lease_fresh(redis_url: str) -> None:
    """A send held 2.6 s by the API: the worker renews the job's lease while it runs (the
    lease never reaches further than a heartbeat + 60 s ahead), so a lease that lapses means
    a dead worker, whatever the job's timeout."""
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        settings = Settings.from_env({**env(redis_url, fake), "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
        rt = Runtime(settings, client, twilio=build_client(settings))
        fake.delay(2.6, count=1, create=True)
        queues.enqueue_text(client, "lease", "+15035550101", "Hello.", "reply")
        worker = build_worker(rt)
        worker.job_monitoring_interval = 1
        samples: list[tuple[float, float]] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                samples.extend((time.time(), lease) for _, lease in in_flight(client))

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            worker.work(burst=True, logging_level="WARNING")
        finally:
            done.set()
            sampler.join()
    assert len(fake.sends()) == 1 and status_of(client, "lease")["status"] == "sent"
    leases = [lease for _, lease in samples]
    assert max(leases) - min(leases) >= 1.5, samples  # renewed while running
    assert all(lease - t <= 1 + 60 + 1 for t, lease in samples), samples
