"""Import and sync of a generated 5,000-meeting Meeting Guide feed, served over local HTTP.

Measures, on a private redis-server:
- a first import (fetch + parse + write) through `feedsync.sync_feed`, in seconds;
- an unchanged sync: how many HTTP requests it costs (one conditional GET answered 304)
  and its time in milliseconds;
- a sync where 1% of the meetings changed (new times), in seconds;
- the peak memory (VmHWM) of a real `hrw-sms worker` process running the same three syncs as
  RQ jobs, next to its memory when idle.

    python3 bench/run_feed_bench.py [--meetings 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import redis  # noqa: E402
from rq.registry import StartedJobRegistry  # noqa: E402
from synthetic_feed import generate  # noqa: E402

from hrw_sms.jobs import queues  # noqa: E402
from hrw_sms.meetings import feedsync  # noqa: E402
from tests.feed_server import FeedServer  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402


def changed(text: str, share: float, round_: int) -> str:
    """The feed with `share` of its meetings moved to a new start time."""
    meetings = json.loads(text)
    step = max(1, round(1 / share))
    for i in range(0, len(meetings), step):
        meetings[i]["time"] = f"{(5 + round_) % 24:02d}:{(i * 7) % 60:02d}"
    return json.dumps(meetings, ensure_ascii=False, indent=1)


def timed_syncs(url: str, client: redis.Redis, server: FeedServer, text: str, repeat: int) -> dict:
    first, unchanged, partial, requests_for_unchanged = [], [], [], []
    for round_ in range(repeat):
        client.flushall()
        server.publish(text)
        feedsync.add_feed(client, url, None, datetime.now(UTC))
        t = time.perf_counter()
        outcome = feedsync.sync_feed(client, url, datetime.now(UTC))
        first.append(time.perf_counter() - t)
        assert outcome.ok, outcome.message
        before = len(server.requests)
        t = time.perf_counter()
        outcome = feedsync.sync_feed(client, url, datetime.now(UTC))
        unchanged.append(time.perf_counter() - t)
        requests_for_unchanged.append(len(server.requests) - before)
        assert outcome.message.startswith("unchanged (304"), outcome.message
        server.publish(changed(text, 0.01, round_))
        t = time.perf_counter()
        outcome = feedsync.sync_feed(client, url, datetime.now(UTC))
        partial.append(time.perf_counter() - t)
        assert " updated" in outcome.message, outcome.message
    return {
        "first_import_s": statistics.median(first),
        "unchanged_ms": statistics.median(unchanged) * 1000,
        "unchanged_requests": max(requests_for_unchanged),
        "one_percent_s": statistics.median(partial),
        "last_report": outcome.message,
    }


def vm(pid: int, field: str) -> int:
    """A /proc/<pid>/status figure in KiB (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def worker_memory(redis_url: str, client: redis.Redis, server: FeedServer, text: str) -> dict:
    """Peak RSS of a real worker process while it runs a first import, an unchanged sync and
    a 1%-changed sync as jobs."""
    client.flushall()
    server.publish(text)
    url = server.url
    feedsync.add_feed(client, url, None, datetime.now(UTC))
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HRW_", "TWILIO_"))},
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(ROOT),
        "HRW_FEED_INTERVAL": "60",  # the bench queues the syncs itself
        # The worker needs a way to send; no text is sent (the feed's groups have no
        # coordinators), so nothing listens at this address.
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "bench-token",
        "TWILIO_FROM_NUMBER": "+14135550000",
        "TWILIO_API_BASE": "http://127.0.0.1:9",
        "HRW_NUMBER_HASH_KEY": "bench-number-hash-key",
        "HRW_SECRET_KEY": "bench-secret-key-" + "0" * 32,
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from hrw_sms.cli import main; main()", "worker"],
        env=environ,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(4)  # started and idle
        idle = vm(proc.pid, "VmRSS")
        q = queues.queue(client, queues.BULK)
        for body in (None, None, changed(text, 0.01, 9)):
            if body is not None:
                server.publish(body)
            seen = len(server.requests)
            q.enqueue("workers.feeds.sync_one", url, result_ttl=0, job_timeout=600)
            deadline = time.time() + 300
            while time.time() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"the worker exited with {proc.returncode}")
                running = StartedJobRegistry(queues.BULK, connection=client).count
                if len(server.requests) > seen and q.count == 0 and not running:
                    break
                time.sleep(0.2)
            time.sleep(1)
        return {"worker_idle_mb": idle / 1024, "worker_peak_mb": vm(proc.pid, "VmHWM") / 1024}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text, _ = generate(args.meetings, seed=10)
    with tempfile.TemporaryDirectory() as folder:
        redis_server = RedisServer(Path(folder))
        try:
            client = redis.Redis.from_url(redis_server.url)
            with FeedServer(text) as server:
                figures = timed_syncs(server.url, client, server, text, args.repeat)
                print(json.dumps(figures), flush=True)
                figures.update(worker_memory(redis_server.url, client, server, text))
        finally:
            redis_server.stop()
    figures["meetings"] = args.meetings
    figures["feed_mb"] = len(text.encode()) / 1e6
    figures["at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
