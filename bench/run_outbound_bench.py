"""Benchmark the outbound path (issue 3): real `hrw-sms worker` processes, a private
redis-server, and a lean local stand-in for Twilio's Messages API (bench/lean_twilio.py), all on
loopback.

    python3 bench/run_outbound_bench.py                 # about 4 minutes; needs redis-server
    python3 bench/run_outbound_bench.py --only throughput --reps 3

1. throughput: texts per second one worker process sends with no rate limit, beside the same
   HTTP call (the twilio client's messages.create, built by workers.twilio_client) in a bare
   loop in one process. Rates are taken between the 10th and 90th percentile arrivals at the
   API (start-up and the tail excluded). Two shapes of work: one RQ job per text (replies and
   host prompts, queued one at a time by the web app) and the batches of 50 texts per job
   that reminders are sent in. Alternating runs; medians and their ratios.
2. rate: HRW_SEND_RATE=50, two worker processes, 60 s of a full queue: the mean rate and the
   highest count of texts reaching the API in any one-second window.
3. lateness: 1,000 subscribers of one meeting; the reminder is planned as REMIND plans it and
   released by the workers' own RQ scheduler; two worker processes. Lateness = arrival at the
   API minus the reminder's due time; p50, p99, max.

Prints a table and writes bench/results/outbound-bench-<time>.json. Everything it starts is
stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT)]

import redis  # noqa: E402

from hrw_sms.base.config import Settings  # noqa: E402
from hrw_sms.handlers.services import Services  # noqa: E402
from hrw_sms.jobs import queues  # noqa: E402
from hrw_sms.meetings.directory import DirectoryStore  # noqa: E402
from hrw_sms.store import subscriptions  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402
from workers.ratelimit import RateLimiter  # noqa: E402
from workers.reminder_plans import plan_meeting  # noqa: E402
from workers.twilio_client import build_client  # noqa: E402

ACCOUNT = "AC" + "0123456789abcdef" * 2
SENDER = "+14135550000"
NY = "America/New_York"
BODY = "HRW reminder: Tuesday Night at the Library, today 6pm. Reply STOP to end."  # 1 segment


class LeanTwilio:
    def __init__(self, folder: Path) -> None:
        port_file = folder / "twilio.port"
        self.proc = subprocess.Popen(
            [sys.executable, str(BENCH / "lean_twilio.py"), str(port_file)],
            stdout=subprocess.DEVNULL,
            stderr=(folder / "twilio.log").open("wb"),
        )
        deadline = time.monotonic() + 10
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("bench/lean_twilio.py did not start")
            time.sleep(0.02)
        self.base_url = f"http://127.0.0.1:{port_file.read_text()}"

    def arrivals(self) -> list[tuple[float, str]]:
        with urllib.request.urlopen(self.base_url + "/_arrivals") as answer:
            return [tuple(a) for a in json.load(answer)]

    def count(self) -> int:
        with urllib.request.urlopen(self.base_url + "/_count") as answer:
            return int(answer.read())

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self.base_url + "/_reset", method="POST"))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


class Workers:
    """`hrw-sms worker` processes, each in its own process group (it and its scheduler)."""

    def __init__(self, environ: dict[str, str], count: int, folder: Path, name: str) -> None:
        self.procs = []
        for i in range(count):
            log = (folder / f"{name}-worker-{i}.log").open("wb")
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", "from hrw_sms.cli import main; main()", "worker"],
                    env=environ,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def stop(self) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in self.procs:
            with suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            with suppress(ProcessLookupError):  # its scheduler, if it outlived it
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def environment(redis_url: str, api: str, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HRW_"))}
    return {
        **clean,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": "bench-token-0123456789abcdef",
        "TWILIO_FROM_NUMBER": SENDER,
        "TWILIO_API_BASE": api,
        "HRW_PUBLIC_URL": "https://sms.example.org",  # every text carries a StatusCallback
        "HRW_QUIET_HOURS": "off",
        "HRW_NUMBER_HASH_KEY": "bench-number-hash-key",
        "HRW_SECRET_KEY": "bench-secret-key-" + "0" * 32,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def numbers(count: int, first: int = 0) -> list[str]:
    return [f"+1503{first + i:07d}" for i in range(count)]


def queue_texts(client: redis.Redis, prefix: str, people: list[str]) -> None:
    for i, number in enumerate(people):
        queues.enqueue_text(client, queues.message_id(prefix, str(i)), number, BODY, "reply")


def wait_for(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out: {what}")
        time.sleep(0.2)


def steady_rate(times: list[float]) -> float:
    """Texts per second between the 10th and the 90th percentile arrival."""
    times = sorted(times)
    lo, hi = len(times) // 10, (len(times) * 9) // 10
    return (hi - lo) / (times[hi] - times[lo])


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


# --- 1. throughput ---


def bare_loop(environ: dict[str, str], api: LeanTwilio, count: int) -> float:
    client = build_client(Settings.from_env(environ))
    people = numbers(count + 50, first=9_000_000)
    for to in people[:50]:  # warm-up: connection, imports
        client.messages.create(
            to=to, from_=SENDER, body=BODY, status_callback="https://sms.example.org/status"
        )
    api.reset()
    for to in people[50:]:
        client.messages.create(
            to=to, from_=SENDER, body=BODY, status_callback="https://sms.example.org/status"
        )
    return steady_rate([t for t, _ in api.arrivals()])


def one_worker(
    client: redis.Redis,
    environ: dict[str, str],
    api: LeanTwilio,
    count: int,
    folder: Path,
    rep: int,
    batched: bool = False,
) -> float:
    """One worker process sending `count` queued texts: one RQ job per text (as replies are
    queued), or in reminder batches of queues.BATCH_SIZE (as send_reminders queues them)."""
    client.flushall()
    api.reset()
    if batched:
        items = [
            (queues.message_id(f"bp{rep}", str(i)), to, BODY, "reminder", NY, None)
            for i, to in enumerate(numbers(count))
        ]
        for start in range(0, count, queues.BATCH_SIZE):
            batch = items[start : start + queues.BATCH_SIZE]
            queues.enqueue_batch(client, "reminder", f"bench{rep}:{start}", batch)
    else:
        queue_texts(client, f"tp{rep}", numbers(count))
    workers = Workers(environ, 1, folder, f"throughput-{rep}-{'batched' if batched else 'jobs'}")
    try:
        wait_for(lambda: api.count() >= count, 120, "one worker sending the batch")
    finally:
        workers.stop()
    return steady_rate([t for t, _ in api.arrivals()])


def throughput(
    client: redis.Redis, redis_url: str, api: LeanTwilio, reps: int, count: int, folder: Path
) -> dict:
    environ = environment(redis_url, api.base_url, HRW_SEND_RATE="1000000")
    bare, worker, batched = [], [], []
    for rep in range(reps):
        bare.append(bare_loop(environ, api, count))
        worker.append(one_worker(client, environ, api, count, folder, rep))
        batched.append(one_worker(client, environ, api, count, folder, rep, batched=True))
        print(
            f"  throughput rep {rep + 1}: bare {bare[-1]:.0f}/s, a job per text {worker[-1]:.0f}/s,"
            f" batches of {queues.BATCH_SIZE} {batched[-1]:.0f}/s"
        )
    b, w, p = (statistics.median(x) for x in (bare, worker, batched))
    return {
        "texts_per_run": count,
        "bare_per_s": bare,
        "worker_per_s": worker,
        "batch_size": queues.BATCH_SIZE,
        "batched_per_s": batched,
        "bare_median": b,
        "worker_median": w,
        "batched_median": p,
        "ratio": w / b,
        "batched_ratio": p / b,
        "target_worker_per_s": 300,
    }


# --- 2. the shared rate limit ---


def shared_rate(
    client: redis.Redis, redis_url: str, api: LeanTwilio, seconds: float, folder: Path
) -> dict:
    rate = 50
    client.flushall()
    api.reset()
    queue_texts(client, "rate", numbers(int(rate * seconds * 1.3) + 200))
    environ = environment(redis_url, api.base_url, HRW_SEND_RATE=str(rate))
    workers = Workers(environ, 2, folder, "rate")
    try:
        wait_for(lambda: api.count() > 0, 30, "the first text")
        first = api.arrivals()[0][0]
        time.sleep(max(0.0, first + seconds + 1 - time.time()))
    finally:
        workers.stop()
    times = sorted(t for t, _ in api.arrivals() if t < first + seconds)
    windows = [_window_count(times, i) for i in range(len(times))]
    after = [w for t, w in zip(times, windows, strict=True) if t >= first + 2]
    burst = RateLimiter(client, rate).burst or 0  # None: paced, each text behind the last
    return {
        "rate": rate,
        "seconds": seconds,
        "texts": len(times),
        "mean_per_s": len(times) / seconds,
        "mean_error": len(times) / seconds / rate - 1,
        "max_one_second_window": max(windows),
        "max_one_second_window_after_2s": max(after),
        "configured_burst": burst,
        "limiter_bound_one_second": burst + rate,
    }


def _window_count(times: list[float], i: int) -> int:
    """Arrivals in [times[i], times[i] + 1 s)."""
    lo, hi = i, len(times)
    while lo < hi:
        mid = (lo + hi) // 2
        if times[mid] < times[i] + 1.0:
            lo = mid + 1
        else:
            hi = mid
    return lo - i


# --- 3. reminder lateness ---


def lateness(redis_url: str, api: LeanTwilio, count: int, folder: Path, rep: int) -> dict:
    # Each run in a Redis database of its own: the last run's workers are stopped, but their
    # scheduler processes may still write as they exit, and once left a job and a late
    # scheduler in the next run's way (its reminders went 1-2 s later than in a fresh run).
    redis_url = f"{redis_url}?db={rep + 1}"
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    api.reset()
    lead = 60
    environ = environment(
        redis_url, api.base_url, HRW_SEND_RATE="1000000", HRW_REMINDER_MINUTES=str(lead)
    )
    # The reminder is due at the first minute boundary at least 20 s away.
    now = datetime.now(UTC)
    due = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if due - now < timedelta(seconds=20):
        due += timedelta(minutes=1)
    start = (due + timedelta(minutes=lead)).astimezone(ZoneInfo(NY))
    meeting = {
        "name": "Benchmark Circle",
        "slug": "bench-circle",
        "day": [0, 1, 2, 3, 4, 5, 6],
        "time": f"{start:%H:%M}",
        "timezone": NY,
        "types": ["O"],
        "group": "HRW Online",
        "conference_url": "https://meet.example.org/bench",
    }
    DirectoryStore(client).import_feed(json.dumps([meeting]))
    services = Services(settings=Settings.from_env(environ), redis=client)
    for number in numbers(count, first=1_000_000):
        subscriptions.subscribe(client, services.number_id(number), number, "bench-circle")
    plan_meeting(services, "bench-circle")
    workers = Workers(environ, 2, folder, f"lateness-{rep}")
    try:
        wait_for(lambda: api.count() >= count, (due - datetime.now(UTC)).total_seconds() + 90,
                 "the reminders")  # fmt: skip
    finally:
        workers.stop()
    late = sorted(t - due.timestamp() for t, _ in api.arrivals())
    return {
        "reminders": count,
        "due": due.isoformat(),
        "first_s": late[0],
        "p50_s": percentile(late, 50),
        "p90_s": percentile(late, 90),
        "p99_s": percentile(late, 99),
        "max_s": late[-1],
        "target_p99_s": 2.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["throughput", "rate", "lateness"], action="append")
    parser.add_argument("--reps", type=int, default=2, help="throughput runs of each kind")
    parser.add_argument("--texts", type=int, default=3000, help="texts per throughput run")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the rate run")
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--lateness-reps", type=int, default=2)
    args = parser.parse_args()
    only = set(args.only or ["throughput", "rate", "lateness"])

    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hrw-outbound-")))
        server = RedisServer(folder)
        stack.callback(server.stop)
        api = LeanTwilio(folder)
        stack.callback(api.stop)
        client = server.client()
        if "throughput" in only:
            print("throughput: one worker process vs the bare HTTP call ...")
            results["throughput"] = throughput(
                client, server.url, api, args.reps, args.texts, folder
            )
        if "rate" in only:
            print(f"rate: HRW_SEND_RATE=50, two workers, {args.seconds:.0f} s ...")
            results["rate"] = shared_rate(client, server.url, api, args.seconds, folder)
        if "lateness" in only:
            runs = []
            for rep in range(args.lateness_reps):
                print(f"lateness: {args.reminders} reminders due in the same minute ...")
                runs.append(lateness(server.url, api, args.reminders, folder, rep))
                print(f"  p50 {runs[-1]['p50_s']:.2f} s, p99 {runs[-1]['p99_s']:.2f} s")
            results["lateness"] = runs
    report(results)
    out = BENCH / "results" / f"outbound-bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


def report(results: dict) -> None:
    lines = [""]
    if "throughput" in results:
        t = results["throughput"]
        lines += [
            f"bare messages.create loop    {t['bare_median']:7.0f} calls/s",
            f"one worker, batches of {t['batch_size']}   {t['batched_median']:7.0f} texts/s"
            f" (ratio {t['batched_ratio']:.2f}; target >= 300/s)",
            f"one worker, a job per text   {t['worker_median']:7.0f} texts/s"
            f" (ratio {t['ratio']:.2f})",
        ]
    if "rate" in results:
        r = results["rate"]
        lines += [
            f"HRW_SEND_RATE=50, 2 workers  {r['mean_per_s']:7.2f} texts/s over {r['seconds']:.0f} s"
            f" ({100 * r['mean_error']:+.1f}%)",
            f"  highest 1-s window         {r['max_one_second_window']:7d}"
            f" (after the first 2 s: {r['max_one_second_window_after_2s']}; bucket beyond the text"
            f" {r['configured_burst']:.0f}, limiter bound {r['limiter_bound_one_second']:.0f})",
        ]
    for run in results.get("lateness", []):
        lines.append(
            f"{run['reminders']} reminders: lateness p50 {run['p50_s']:.2f} s,"
            f" p99 {run['p99_s']:.2f} s, max {run['max_s']:.2f} s"
            f" (first {run['first_s']:.2f} s; target p99 <= 2 s)"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
