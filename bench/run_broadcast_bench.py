"""Benchmark broadcasts (issue 4): a broadcast to 10,000 subscribers against a local stand-in
for Twilio's Messages API (bench/broadcast_fake_api.py), a private redis-server and real
`hrw-sms worker` processes, all on loopback.

    python3 bench/run_broadcast_bench.py             # about 4 minutes; needs redis-server
    python3 bench/run_broadcast_bench.py --reps 1 --move-on --py-spy

1. memory: Redis INFO used_memory before and after subscribing 10,000 numbers (what REMIND
   stores, through hrw_sms.subscriptions.subscribe), per subscriber.
2. queuing: broadcasts.prepare, then broadcasts.start (from the call to every batch job
   queued: the recipient snapshot, the record, the audit entry, 20 jobs of 500), with no
   worker running; median of 3. Redis memory of one broadcast queued, per recipient.
3. throughput, two worker processes, HRW_SEND_RATE so high it never waits: messages per
   second from the start call until every text is settled, and between the 10th and 90th
   percentile arrivals at the API (start-up and tail left out). Baseline in the same run: the
   same HTTP call (workers.twilio_client's messages.create) in a bare loop in two processes,
   no Redis, no RQ. Rounds alternate (bare, broadcast, broadcast, bare, ...) so the machine's
   other load hits both alike; medians and their ratio. Also the workers' CPU per text, and
   the peak and remaining Redis memory per recipient while and after it is sent (the outbound
   records are kept for their TTL).
4. SIGKILL: the same broadcast; when half has arrived at the API, one of the two worker
   processes is SIGKILLed (with its scheduler) and a new one is started at once. Nothing is
   moved on: RQ's maintenance in the live workers takes the dead worker's batch back when its
   lease lapses (heartbeats keep it about a minute ahead), and a send left in doubt waits
   IN_FLIGHT_LIMIT, then is looked up on the API's list. Then the copies each recipient got
   at the API: duplicates and losses. `--move-on` ends the dead lease at once and releases
   due jobs from here (as tests/test_broadcast_faults.py does): about a minute shorter.

Prints a table and writes bench/results/broadcast-bench-<time>.json. Everything it starts is
stopped at the end, also on Ctrl-C. Exits 1 when a run is invalid (a text not settled, an
error in a worker's log), not for a missed target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from contextlib import ExitStack, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT)]

import redis  # noqa: E402
from rq.executions import Execution  # noqa: E402
from rq.registry import StartedJobRegistry  # noqa: E402

from hrw_sms.base.config import Settings  # noqa: E402
from hrw_sms.handlers import broadcasts  # noqa: E402
from hrw_sms.handlers.services import Services  # noqa: E402
from hrw_sms.jobs import queues  # noqa: E402
from hrw_sms.jobs.scheduling import release_due  # noqa: E402
from hrw_sms.meetings.directory import DirectoryStore  # noqa: E402
from hrw_sms.store import keys, subscriptions  # noqa: E402
from tests.feeds import feed_text  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

ACCOUNT = "AC" + "0123456789abcdef" * 2
SENDER = "+14135550000"
GROUP = "hrw-northampton"
MEETING = "forbes-tuesday"
SUBSCRIBERS = 10_000
TARGET_QUEUE_S = 2.0
TARGET_RATE = 500.0
TICK = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def number(i: int) -> str:
    return f"+1617{5_550_000 + i:07d}"


# --- processes ---


class Proc:
    """A child in its own process group (a worker and its scheduler die together)."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
        with suppress(ProcessLookupError):  # what is left of its group (a scheduler)
            os.killpg(self.proc.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its waited-for children (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / TICK


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


class FakeApi:
    def __init__(self, folder: Path) -> None:
        port_file = folder / "api.port"
        self.proc = Proc(
            [sys.executable, str(BENCH / "broadcast_fake_api.py"), str(port_file)],
            dict(os.environ), folder / "api.log",
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text()):
            if time.monotonic() > deadline:
                raise RuntimeError("the fake API did not start")
            time.sleep(0.02)
        self.base = f"http://127.0.0.1:{port_file.read_text()}"

    def _call(self, path: str, method: str = "GET") -> bytes:
        request = urllib.request.Request(
            self.base + path, method=method, data=b"" if method == "POST" else None
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read()

    def count(self) -> int:
        return int(self._call("/_count"))

    def arrivals(self) -> list[tuple[float, str, str]]:
        data = json.loads(self._call("/_arrivals"))
        return [(t, to, data["bodies"][b]) for t, to, b in data["arrivals"]]

    def reset(self) -> None:
        self._call("/_reset", "POST")


def worker_env(redis_url: str, api: FakeApi, rate: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HRW_"))}
    return {
        **clean,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": "bench-api-token",
        "TWILIO_FROM_NUMBER": SENDER,
        "TWILIO_API_BASE": api.base,
        "HRW_PUBLIC_URL": "https://sms.example.org",
        "HRW_SEND_RATE": rate,
        "HRW_QUIET_HOURS": "off",
        "HRW_NUMBER_HASH_KEY": "bench-number-hash-key",
        "HRW_SECRET_KEY": "bench-secret-key-" + "0" * 32,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }


class Workers:
    """`hrw-sms worker` processes, as the Procfile runs them."""

    def __init__(self, env: dict[str, str], folder: Path, client: redis.Redis) -> None:
        self.env, self.folder, self.client = env, folder, client
        self.procs: dict[str, Proc] = {}
        self.started = 0

    def start(self) -> str:
        self.started += 1
        name = f"bench-worker-{self.started}"
        self.procs[name] = Proc(
            [sys.executable, "-m", "hrw_sms", "worker", "--name", name],
            self.env, self.folder / f"{name}.log",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not self.client.exists(f"rq:worker:{name}"):
            if time.monotonic() > deadline or self.procs[name].proc.poll() is not None:
                raise RuntimeError(f"{name} did not start: see {self.folder / (name + '.log')}")
            time.sleep(0.05)
        return name

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs.values())

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.stop()

    def errors(self) -> list[str]:
        found = []
        for name in self.procs:
            text = (self.folder / f"{name}.log").read_text(errors="replace")
            found += [
                line for line in text.splitlines() if " ERROR " in line or "Traceback" in line
            ]
        return found


# --- measurements ---


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def steady_rate(times: list[float]) -> float:
    """Arrivals per second between the 10th and the 90th percentile arrival."""
    times = sorted(times)
    lo, hi = int(len(times) * 0.1), int(len(times) * 0.9)
    return (hi - lo) / (times[hi] - times[lo]) if times[hi] > times[lo] else float("inf")


def bare_round(
    api: FakeApi,
    env: dict[str, str],
    folder: Path,
    total: int,
    offset: int,
    api_and_redis: list[int],
) -> dict:
    """The HTTP call alone, in two processes of total/2 creates each."""
    api.reset()
    half = total // 2
    me = str(Path(__file__))
    procs = [
        Proc([sys.executable, me, "--bare-sender", str(half), str(offset + i * half)], env,
             folder / "bare.log")
        for i in range(2)
    ]  # fmt: skip
    started = time.monotonic()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    others = [cpu_seconds(pid) for pid in api_and_redis]
    for p in procs:
        if p.proc.wait(300) != 0:
            raise RuntimeError(f"a bare sender failed: see {folder / 'bare.log'}")
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    api_cpu, redis_cpu = (
        cpu_seconds(pid) - o for pid, o in zip(api_and_redis, others, strict=True)
    )
    times = [t for t, _, _ in api.arrivals()]
    assert len(times) == total, (len(times), total)
    return {
        "rate_steady": steady_rate(times),
        "wall_s": wall,
        "texts": total,
        "sender_cpu_ms_per_text": 1000 * cpu / total,
        "api_cpu_ms_per_text": 1000 * api_cpu / total,
        "redis_cpu_ms_per_text": 1000 * redis_cpu / total,
    }


def bare_sender(count: int, first: int) -> None:
    """Child mode: `count` creates in a loop, as a worker makes them (same client)."""
    from workers.twilio_client import build_client

    client = build_client(Settings.from_env(os.environ))
    for i in range(first, first + count):
        client.messages.create(to=number(i), from_=SENDER, body="Bare loop text.",
                               status_callback="https://sms.example.org/status")  # fmt: skip


def settled(client: redis.Redis, broadcast_id: int) -> int:
    found = broadcasts.progress(client, broadcast_id)
    assert found is not None
    return found.total - found.queued


def broadcast_round(
    services: Services,
    api: FakeApi,
    workers: Workers,
    message: str,
    api_and_redis: list[int],
    kill_at: int | None = None,
    real_time: bool = False,
) -> dict:
    """One broadcast to every subscriber, until each text is settled."""
    client = services.redis
    api.reset()
    mem_before = used_memory(client)
    cpu_before, busy_before = workers.cpu(), machine_busy()
    others = [cpu_seconds(pid) for pid in api_and_redis]
    me = time.process_time()
    started = time.monotonic()
    draft = broadcasts.prepare(services, GROUP, message)
    t_start = time.monotonic()
    bid = broadcasts.start(services, draft, actor=None, channel="cli")
    queued_s = time.monotonic() - t_start
    peak = used_memory(client)
    killed: dict = {}
    last_check = 0.0
    deadline = started + 600
    while True:
        now = time.monotonic()
        if now > deadline:
            raise RuntimeError(
                f"broadcast {bid} not settled: {settled(client, bid)} of {draft.recipients}"
            )
        arrived = api.count()
        peak = max(peak, used_memory(client))
        if kill_at is not None and not killed and arrived >= kill_at:
            killed = kill_one(services, workers, bid, real_time)
        if (arrived >= draft.recipients or killed) and now - last_check > 0.5:
            last_check = now
            if killed and not real_time:
                release_due(client, datetime.now(UTC))  # the dead scheduler's lock holds them
            if settled(client, bid) == draft.recipients:
                if killed:
                    killed["settled_after_kill_s"] = time.monotonic() - killed.pop("at")
                break
        time.sleep(0.05)
    wall = time.monotonic() - started
    cpu = workers.cpu() - cpu_before
    api_cpu, redis_cpu = (
        cpu_seconds(pid) - o for pid, o in zip(api_and_redis, others, strict=True)
    )
    busy_after = machine_busy()
    ours = cpu + api_cpu + redis_cpu + time.process_time() - me
    arrivals = [a for a in api.arrivals() if a[2] == draft.final]
    copies = Counter(to for _, to, _ in arrivals)
    everyone = {number(i) for i in range(SUBSCRIBERS)}
    final = broadcasts.progress(client, bid)
    assert final is not None
    return {
        "broadcast": bid,
        "recipients": draft.recipients,
        "queued_s": queued_s,
        "wall_s": wall,
        "rate_e2e": draft.recipients / wall,
        "rate_steady": steady_rate([t for t, _, _ in arrivals]),
        "worker_cpu_ms_per_text": 1000 * cpu / draft.recipients,
        "api_cpu_ms_per_text": 1000 * api_cpu / draft.recipients,
        "redis_cpu_ms_per_text": 1000 * redis_cpu / draft.recipients,
        "machine_cores_busy": (busy_after[0] - busy_before[0]) / (wall or 1),
        "other_cores_busy": (busy_after[0] - busy_before[0] - ours) / (wall or 1),
        "mem_peak_per_recipient": (peak - mem_before) / draft.recipients,
        "mem_after_per_recipient": (used_memory(client) - mem_before) / draft.recipients,
        "sent": final.sent, "failed": final.failed, "skipped": final.skipped,
        "losses": len(everyone - set(copies)),
        "duplicates": sum(c - 1 for c in copies.values() if c > 1),
        "requests": len(arrivals),
        **({"kill": killed} if killed else {}),
    }  # fmt: skip


def kill_one(services: Services, workers: Workers, bid: int, real_time: bool) -> dict:
    """SIGKILL the first worker with its scheduler; start another; hand its batch back."""
    client = services.redis
    name = next(n for n, p in workers.procs.items() if p.proc.poll() is None)
    workers.procs[name].kill()
    at = time.monotonic()
    log(f"SIGKILLed {name}")
    recipients = [n.decode() for n in client.lrange(keys.broadcast_recipients(bid), 0, -1)]
    pipe = client.pipeline(transaction=False)
    for nid in recipients:
        pipe.hget(keys.outbound(broadcasts.message_id(bid, nid)), "status")
    in_doubt = [
        nid
        for nid, st in zip(recipients, pipe.execute(), strict=True)
        if st in (b"sending", b"in_doubt")
    ]
    registry = StartedJobRegistry(queues.BULK, connection=client)
    dead = []
    for member, score in client.zrange(registry.key, 0, -1, withscores=True):
        job_id, execution_id = member.decode().split(":", 1)
        with suppress(ValueError):
            if Execution.fetch(execution_id, job_id, client).worker_name == name:
                dead.append((member, score))
    lease_left = [round(score - time.time(), 1) for _, score in dead]
    replacement = workers.start()
    if not real_time:
        # RQ's maintenance at the dead worker's lease end: its batch is abandoned, retried.
        for member, _ in dead:
            client.zadd(registry.key, {member: time.time() - 1}, xx=True)
        registry.cleanup(timestamp=time.time() - 0.5)
        release_due(client, datetime.now(UTC) + timedelta(seconds=queues.CRASH_RETRY.intervals[0]))
    return {
        "worker": name,
        "replacement": replacement,
        "in_doubt": in_doubt,
        "batches_in_flight": len(dead),
        "lease_left_s": lease_left,
        "restart_s": time.monotonic() - at,
        "at": at,
    }


def queue_round(services: Services) -> tuple[float, float, int]:
    """(prepare s, start s, bytes) of one broadcast queued with no worker running; then gone."""
    client = services.redis
    before = used_memory(client)
    t0 = time.perf_counter()
    draft = broadcasts.prepare(services, GROUP, "Queued only.")
    t1 = time.perf_counter()
    bid = broadcasts.start(services, draft, actor=None, channel="cli")
    t2 = time.perf_counter()
    grown = used_memory(client) - before
    assert (
        queues.queue(client, queues.BULK).count
        == (SUBSCRIBERS + broadcasts.BATCH - 1) // broadcasts.BATCH
    )
    queues.queue(client, queues.BULK).empty()
    client.delete(keys.broadcast(bid), keys.broadcast_recipients(bid))
    return t1 - t0, t2 - t1, grown


def py_spy(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    binary = subprocess.run(["which", "py-spy"], capture_output=True, text=True).stdout.strip()
    if not binary:
        log("py-spy not found (pip install py-spy): no profile")
        return None
    return subprocess.Popen(
        [binary, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200",
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def summarise_profile(raw: Path, top: int = 25) -> list[str]:
    """Inclusive and own share of samples per function, from py-spy's collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [
            f.split(" (")[0] + " " + f.rsplit("/", 1)[-1].split(":")[0] for f in stack.split(";")
        ]
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total} samples; inclusive %, own %, function (file)"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:5.1f} {100 * own[frame] / total:5.1f}  {frame}")
    lines.append("own time, top:")
    for frame, n in own.most_common(12):
        lines.append(f"{100 * n / total:5.1f}  {frame}")
    return lines


def median(rounds: list[dict], field: str) -> float:
    return statistics.median(r[field] for r in rounds)


def report(result: dict) -> list[str]:
    sent, bare = result["broadcast"], result["bare"]
    lines = [
        f"Broadcast to {SUBSCRIBERS} subscribers (commit {result['commit']}, "
        f"{result['cpus']} cores)",
        f"  subscriptions in Redis:         {result['mem_per_subscriber']:.0f} B per subscriber",
        f"  prepare (count and preview):    {result['prepare_s'] * 1000:.0f} ms",
        f"  start -> every batch queued:    {result['queue_s'] * 1000:.0f} ms idle, "
        f"{result['queue_s_with_workers'] * 1000:.0f} ms beside two workers "
        f"(target < {TARGET_QUEUE_S:.0f} s)",
        f"  one broadcast queued:           {result['mem_queued_per_recipient']:.0f} B "
        "per recipient",
        f"  while / after sending:          {result['mem_peak_per_recipient']:.0f} / "
        f"{result['mem_after_per_recipient']:.0f} B per recipient (outbound records)",
        f"  two workers, no rate limit:     {result['rate_steady']:.0f}/s steady, "
        f"{result['rate_e2e']:.0f}/s end to end (target >= {TARGET_RATE:.0f}/s)",
        f"  bare HTTP loop, two processes:  {result['bare_rate']:.0f}/s; "
        f"ratio {result['ratio']:.2f}",
        "  CPU per text, ms (sender : API : Redis): "
        f"broadcast {median(sent, 'worker_cpu_ms_per_text'):.2f} : "
        f"{median(sent, 'api_cpu_ms_per_text'):.2f} : {median(sent, 'redis_cpu_ms_per_text'):.2f}"
        f"; bare {median(bare, 'sender_cpu_ms_per_text'):.2f} : "
        f"{median(bare, 'api_cpu_ms_per_text'):.2f} : {median(bare, 'redis_cpu_ms_per_text'):.2f}",
        f"  machine busy while sending:     {median(sent, 'machine_cores_busy'):.2f} of "
        f"{result['cpus']} cores, {median(sent, 'other_cores_busy'):.2f} of them by other "
        "processes than this benchmark's",
    ]
    if "kill" in result:
        k = result["kill"]
        lines.append(
            f"  SIGKILL halfway:                {k['duplicates']} duplicates, {k['losses']} losses "
            f"({len(k['kill']['in_doubt'])} in doubt at the kill; batch lease left "
            f"{k['kill']['lease_left_s']} s; all settled "
            f"{k['kill']['settled_after_kill_s']:.0f} s after the kill)"
        )
    lines += ["    " + line for line in result.get("profile", [])]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=2, help="throughput rounds of each side")
    parser.add_argument("--no-kill", action="store_true", help="skip the SIGKILL run")
    parser.add_argument(
        "--move-on", action="store_true", help="SIGKILL run: end the dead lease at once"
    )
    parser.add_argument("--py-spy", action="store_true", help="sample one worker in a round")
    parser.add_argument("--bare-sender", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_sender:
        bare_sender(*args.bare_sender)
        return 0

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    result: dict = {
        "started": stamp,
        "commit": commit,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "subscribers": SUBSCRIBERS,
    }
    invalid: list[str] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="hrw-bcast-bench-") as tmp:
        folder = Path(tmp)
        server = RedisServer(folder)
        stack.callback(server.stop)
        client = server.client()
        api = FakeApi(folder)
        stack.callback(api.proc.stop)
        env = worker_env(server.url, api, rate="1000000")
        services = Services(settings=Settings.from_env(env), redis=client)
        DirectoryStore(client).import_feed(feed_text())
        result["redis"] = client.info("server")["redis_version"]

        log(f"subscribing {SUBSCRIBERS} numbers")
        before = used_memory(client)
        t0 = time.perf_counter()
        for i in range(SUBSCRIBERS):
            subscriptions.subscribe(client, services.number_id(number(i)), number(i), MEETING)
        result["seed_s"] = time.perf_counter() - t0
        result["mem_per_subscriber"] = (used_memory(client) - before) / SUBSCRIBERS

        log("queuing, no worker running")
        rounds = [queue_round(services) for _ in range(3)]
        result["prepare_s"] = statistics.median(r[0] for r in rounds)
        result["queue_s"] = statistics.median(r[1] for r in rounds)
        result["queue_s_all"] = [r[1] for r in rounds]
        result["mem_queued_per_recipient"] = statistics.median(r[2] for r in rounds) / SUBSCRIBERS

        pids = [api.proc.pid, server.process.pid]
        workers = Workers(env, folder, client)
        stack.callback(workers.stop_all)
        workers.start()
        workers.start()
        bare: list[dict] = []
        sent: list[dict] = []
        order = (["bare", "bcast", "bcast", "bare"] * args.reps)[: 2 * args.reps]
        for i, side in enumerate(order):
            if side == "bare":
                log(f"baseline: the HTTP call in a bare loop, two processes ({SUBSCRIBERS} texts)")
                bare.append(bare_round(api, env, folder, SUBSCRIBERS, 100_000 + 20_000 * i, pids))
                log(f"  {bare[-1]['rate_steady']:.0f}/s")
                continue
            log(f"broadcast to {SUBSCRIBERS}, two workers, no rate limit")
            spy = None
            if args.py_spy and not sent:
                target = next(iter(workers.procs.values())).pid
                spy = py_spy(target, 8, results_dir / f"broadcast-bench-{stamp}-py-spy.raw")
            r = broadcast_round(services, api, workers, f"Bench round {i}: room 3.", pids)
            sent.append(r)
            if spy is not None:
                spy.wait(60)
            log(
                f"  queued in {r['queued_s']:.3f} s; {r['rate_steady']:.0f}/s steady, "
                f"{r['rate_e2e']:.0f}/s end to end; {r['duplicates']} duplicates, "
                f"{r['losses']} losses"
            )
            if r["duplicates"] or r["losses"] or r["sent"] != SUBSCRIBERS:
                invalid.append(f"round {i}: {r['sent']} sent, {r['duplicates']} duplicates, "
                               f"{r['losses']} lost")  # fmt: skip
        result["bare"], result["broadcast"] = bare, sent
        result["bare_rate"] = median(bare, "rate_steady")
        result["rate_steady"] = median(sent, "rate_steady")
        result["rate_e2e"] = median(sent, "rate_e2e")
        result["ratio"] = result["rate_steady"] / result["bare_rate"]
        result["queue_s_with_workers"] = median(sent, "queued_s")
        result["mem_peak_per_recipient"] = median(sent, "mem_peak_per_recipient")
        result["mem_after_per_recipient"] = median(sent, "mem_after_per_recipient")
        raw = results_dir / f"broadcast-bench-{stamp}-py-spy.raw"
        if args.py_spy and raw.exists():
            result["profile"] = summarise_profile(raw)

        if not args.no_kill:
            log(f"SIGKILL one of two workers halfway through a broadcast to {SUBSCRIBERS}")
            k = broadcast_round(
                services, api, workers, "Bench: the kill round.", pids,
                kill_at=SUBSCRIBERS // 2, real_time=not args.move_on,
            )  # fmt: skip
            result["kill"] = k
            log(
                f"  {k['duplicates']} duplicates, {k['losses']} losses; "
                f"{len(k['kill']['in_doubt'])} in doubt at the kill; "
                f"settled {k['wall_s']:.1f} s after the start"
            )
            if k["sent"] != SUBSCRIBERS:
                invalid.append(f"kill round: {k['sent']} sent")
        errors = workers.errors()
        if errors:
            invalid.append(f"{len(errors)} error lines in the workers' logs, e.g. {errors[0]}")
            workers.stop_all()
            for name in workers.procs:  # kept for reading: the folder goes
                kept = results_dir / f"broadcast-bench-{stamp}-{name}.log"
                kept.write_bytes((folder / f"{name}.log").read_bytes())

    result["invalid"] = invalid
    out = results_dir / f"broadcast-bench-{stamp}.json"
    out.write_text(json.dumps(result, indent=2))
    print()
    print("\n".join(report(result)))
    print(f"written to {out}")
    for problem in invalid:
        print("INVALID: " + problem)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
