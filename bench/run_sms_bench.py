"""Benchmark the whole POST /sms path under gunicorn against a bare Flask route.

    python3 bench/run_sms_bench.py      # about 90 s; needs redis-server and wrk (Debian)

Starts a private redis-server (unix socket in a temporary folder), loads a synthetic feed of
1,000 meetings (bench/synthetic_feed.py), and starts two gunicorns with the settings of the
Procfile's `web` (sync workers, --preload, --timeout 15, 2 workers) on free loopback ports:
the real app with signature checks on (TWILIO_AUTH_TOKEN and HRW_PUBLIC_URL set), and
bench/bare_app.py. Then, with the same load generator and the same kind of signed requests
from many phone numbers (bench/traffic.py; each MessageSid used once):

1. warm-up of both;
2. throughput, closed loop: wrk with N connections, in alternating rounds (bare, /sms,
   /sms, bare, bare, /sms) so that other load on a shared machine hits both sides alike;
3. latency at a constant rate of half the bare route's throughput (open loop,
   bench/rate_client.py): /sms, then the bare route for reference; and when /sms cannot
   serve that rate, /sms at half of its own throughput too.

Prints a table and writes bench/results/sms-bench-<time>.json, with the CPU each process
used in each phase (and what other processes on the machine used: the noise). Everything it
starts is stopped at the end, also on Ctrl-C. Exits 1 when the run itself is not valid
(non-2xx answers, errors in the app's log, a MessageSid sent twice), not for missed targets.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

import redis  # noqa: E402
import synthetic_feed  # noqa: E402
from traffic import CATEGORIES, MIX, Signer, Texts  # noqa: E402

import hrw_sms  # noqa: E402
from hrw_sms.meetings.directory import DirectoryStore  # noqa: E402

TOKEN = "bench-auth-token-" + "0123456789abcdef"
PUBLIC_URL = "https://sms.example.org"
SIGNED_URL = PUBLIC_URL + "/sms"
LUA = BENCH / "signed_requests.lua"
TICK = os.sysconf("SC_CLK_TCK")
TARGET_RATIO = 0.6
TARGET_P99_MS = 25.0
TOWNS = ["Springfield", "Northampton", "Oakland", "Portland OR", "Austin", "Boulder", "Tucson"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- processes we start ---


class RedisServer:
    """A private redis-server on a unix socket; never the machine's own Redis."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            sys.exit("bench: redis-server is not on PATH (Debian: apt-get install redis-server)")
        self.socket = folder / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.process = subprocess.Popen(
            [
                *(binary, "--port", "0", "--unixsocket", str(self.socket)),
                *("--unixsocketperm", "700", "--dir", str(folder), "--save", ""),
                *("--appendonly", "no", "--logfile", str(folder / "redis.log")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("private redis-server did not start") from None
                time.sleep(0.02)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[Any], children: list[int] | None = None) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    for pid in children or []:  # workers a dead master left behind, by their own pids
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class Gunicorn:
    name: str
    app: str
    env: dict[str, str]
    folder: Path
    options: list[str]
    process: subprocess.Popen[Any] | None = None
    port: int = 0
    workers: list[int] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return self.folder / f"gunicorn-{self.name}.log"

    def command(self) -> list[str]:
        python = [sys.executable, "-m", "gunicorn"]
        return [
            *python,
            *self.options,
            "--pythonpath",
            str(BENCH),
            "--bind",
            "127.0.0.1:0",
            self.app,
        ]

    def start(self) -> None:
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                self.command(), env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, workers: int, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
            booted = re.findall(r"Booting worker with pid: (\d+)", text)
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited:\n{text[-3000:]}")
            if port and len(booted) >= workers:
                self.port = int(port.group(1))
                self.workers = [int(p) for p in booted]
                if _get(self.port, "/healthz") == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"gunicorn ({self.name}) not ready in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, self.workers)

    def pids(self) -> list[int]:
        assert self.process is not None
        return [self.process.pid, *children_of(self.process.pid)]


def _get(port: int, path: str) -> int:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


def post(port: int, body: str, signature: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("POST", "/sms", body=body.encode(), headers=headers)
    response = conn.getresponse()
    result = response.status, response.read().decode("utf-8", "replace")
    conn.close()
    return result


# --- CPU accounting from /proc ---


def children_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == parent:
                found.append(int(entry))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def machine_seconds() -> tuple[float, float, float]:
    """CPU seconds the machine spent busy, in interrupts (loopback networking is mostly
    softirq, charged to no process), and stolen by the hypervisor for other guests."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    busy = user + nice + system + irq + softirq
    return busy / TICK, (irq + softirq) / TICK, steal / TICK


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU seconds used during a phase by the server, Redis, the load generator and the rest."""

    def __init__(self, server: Gunicorn, redis_process: subprocess.Popen[Any]) -> None:
        self.server_pids = server.pids()
        self.redis_pid = redis_process.pid

    def __enter__(self) -> CpuMeter:
        self.start = (
            time.monotonic(),
            cpu_seconds(self.server_pids),
            cpu_seconds([self.redis_pid]),
            children_cpu(),
            machine_seconds(),
        )
        return self

    def __exit__(self, *exc: object) -> None:
        wall0, server0, redis0, gen0, (busy0, irq0, steal0) = self.start
        wall = time.monotonic() - wall0
        server = cpu_seconds(self.server_pids) - server0
        redis_cpu = cpu_seconds([self.redis_pid]) - redis0
        generator = children_cpu() - gen0
        busy1, irq1, steal1 = machine_seconds()
        busy, irq = busy1 - busy0, irq1 - irq0
        ours = server + redis_cpu + generator + irq
        self.result = {
            "wall_s": round(wall, 2),
            "server_cores": round(server / wall, 2),
            "redis_cores": round(redis_cpu / wall, 2),
            "generator_cores": round(generator / wall, 2),
            "irq_cores": round(irq / wall, 2),
            # Everything else on the machine (this script, other processes): the noise.
            "other_cores": round(max(0.0, busy - ours) / wall, 2),
            "stolen_cores": round((steal1 - steal0) / wall, 2),
        }


# --- load generators ---


def run_wrk(port: int, requests: Path, duration: float, connections: int) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s"]
    command += ["-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(requests), "1"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr.strip() or out.stdout.strip()}")
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    lat = data["latency_us"]
    seconds = data["duration_us"] / 1e6
    return {
        "generator": f"wrk -t1 -c{connections}",
        "requests": data["requests"],
        "seconds": round(seconds, 2),
        "requests_per_s": round(data["requests"] / seconds, 1),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        # Socket errors and time-outs; wrk's "status" errors (>= 400) are in non_2xx.
        "errors": sum(v for k, v in data["errors"].items() if k != "status"),
        "error_detail": data["errors"],
        "wrapped": data["wrapped"],
        "lines": data["lines"],
        "latency_ms": {k: round(v / 1000, 2) for k, v in lat.items()},
    }


def run_client(
    port: int,
    requests: Path,
    duration: float,
    rate: float | None = None,
    connections: int = 8,
) -> dict[str, Any]:
    command = [sys.executable, str(BENCH / "rate_client.py"), "--port", str(port)]
    command += ["--file", str(requests), "--duration", f"{duration:g}"]
    command += ["--rate", f"{rate:.1f}"] if rate else ["--connections", str(connections)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if out.returncode != 0:
        raise RuntimeError(f"rate_client failed: {out.stderr.strip()}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    ok = sum(v for k, v in data["statuses"].items() if k.startswith("2"))
    return {
        "generator": f"rate_client {'open loop' if rate else f'closed loop -c{connections}'}",
        "rate": rate,
        "requests": data["completed"],
        "attempted": data["attempted"],
        "seconds": round(data["seconds"], 2),
        "requests_per_s": round(data["requests_per_s"], 1),
        "non_2xx": data["completed"] - ok,
        "errors": data["errors"],
        "skipped": data["skipped"],
        "unanswered": data["unanswered"],
        "wrapped": 0,
        "latency_ms": {k: round(v * 1000, 2) for k, v in data["latency_s"].items()},
        "service_ms": {k: round(v * 1000, 2) for k, v in data["service_s"].items()},
        "send_lag_ms": {k: round(v * 1000, 2) for k, v in data["send_lag_s"].items()},
        "generator_cpu_s": round(data["cpu_s"], 2),
        "stderr": out.stderr.strip(),
    }


# --- the benchmark ---


def load_directory(client: redis.Redis, meetings: int, seed: int) -> dict[str, Any]:
    feed, near_zips = synthetic_feed.generate(meetings, seed)
    store = DirectoryStore(client)
    summary = store.import_feed(feed)
    rng = random.Random(seed)
    groups = store.groups()
    for i, group in enumerate(groups):
        texts = {}
        if i % 2 == 0:  # half the groups have their own welcome and agreements
            texts = {
                "welcome": f"Welcome to {group.name}. Everyone is welcome here, as you are. "
                "We share what works for us and take what helps.",
                "agreements": "We keep what is said here private. We speak for ourselves. "
                "No judgement of anyone's choices. Phones on silent.",
            }
        store.set_group(group.slug, kind="open", **texts)
    data = json.loads(feed)
    return {
        "meetings": len(data),
        "groups": len(groups),
        "timezones": sorted({m["timezone"] for m in data}),
        "online_only": sum(1 for m in data if "latitude" not in m),
        "in_person": sum(1 for m in data if "latitude" in m),
        "with_days_list": sum(1 for m in data if isinstance(m["day"], list)),
        "zip_codes": len(near_zips),
        "import": summary.describe(),
        "_near_zips": near_zips,
        "_far_zips": synthetic_feed.far_zips(rng, 300),
    }


def sanity(server: Gunicorn, signer: Signer | None) -> str:
    """One real exchange, so a misconfigured run fails loudly instead of measuring 403s."""
    line = next(signer.lines(1)) if signer else "x\tBody=MEETINGS&From=%2B14135550123"
    signature, _, body = line.partition("\t")
    if signer is None:
        status, text = post(server.port, body, signature)
        if status != 200:
            raise RuntimeError(f"bare route answered {status}")
        return "bare route answers 200"
    status, _ = post(server.port, body.replace("Body=", "Body=x"), signature)
    if status != 403:
        raise RuntimeError(f"a request with a wrong signature got {status}, not 403")
    status, text = post(server.port, body, signature)
    if status != 200 or "<Message>" not in text:
        raise RuntimeError(f"a signed text got {status}: {text[:300]}")
    return "a bad signature gets 403; a signed text gets 200 with a <Message>"


def combine(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's throughput over its rounds: total requests over total time; the median
    round's p50 and the worst round's p99 (wrk reports percentiles, not samples)."""
    requests = sum(r["requests"] for r in rounds)
    seconds = sum(r["seconds"] for r in rounds)
    p50s = sorted(r["latency_ms"]["p50"] for r in rounds)
    cpu_keys = rounds[0]["cpu"].keys()
    walls = sum(r["cpu"]["wall_s"] for r in rounds)
    return {
        "generator": rounds[0]["generator"],
        "requests": requests,
        "seconds": round(seconds, 2),
        "requests_per_s": round(requests / seconds, 1) if seconds else 0.0,
        "non_2xx": sum(r["non_2xx"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "wrapped": sum(r["wrapped"] for r in rounds),
        "latency_ms": {
            "p50": p50s[len(p50s) // 2],
            "p99": max(r["latency_ms"]["p99"] for r in rounds),
            "max": max(r["latency_ms"]["max"] for r in rounds),
        },
        "cpu": {
            k: round(sum(r["cpu"][k] * r["cpu"]["wall_s"] for r in rounds) / walls, 2)
            for k in cpu_keys
            if k != "wall_s"
        },
        "rounds": rounds,
    }


def summarise_profile(raw: Path, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """Top frames by own and by inclusive share of samples, from py-spy's raw output."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n

    def ranked(counts: dict[str, int]) -> list[tuple[str, float]]:
        best = sorted(counts.items(), key=lambda kv: -kv[1])
        best = [kv for kv in best if "gunicorn" not in kv[0] and "runpy" not in kv[0]]
        return [(frame, round(100 * n / total, 1)) for frame, n in best[:top]]

    return {"samples": total, "own": ranked(own), "inclusive": ranked(inclusive)}  # type: ignore[dict-item]


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 5000 else ">5 s"  # rate_client's time-out


def table(results: dict[str, Any]) -> str:
    header = ("phase", "generator", "req/s", "p50 ms", "p99 ms", "max ms", "non-2xx", "no answer")
    rows = [header]
    for key in (
        "bare_throughput",
        "sms_throughput",
        "sms_constant_rate",
        "bare_constant_rate",
        "sms_constant_half_own",
    ):
        phase = results["phases"].get(key)
        if not phase:
            continue
        lat = phase["latency_ms"]
        rows.append(
            (
                key,
                phase["generator"],
                f"{phase['requests_per_s']:.0f}"
                + (f" of {phase['rate']:.0f}" if phase.get("rate") else ""),
                ms(lat.get("p50", 0)),
                ms(lat.get("p99", 0)),
                ms(lat.get("max", 0)),
                str(phase["non_2xx"]),
                str(phase["errors"] + phase.get("skipped", 0)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    s = results["summary"]
    lines.append("")
    lines.append(
        f"throughput ratio /sms ÷ bare: {s['ratio']:.3f} (target ≥ {TARGET_RATIO})"
        + ("" if s["ratio_ok"] else "  <- below target")
    )
    if s.get("constant_rate_p99_ms") is not None:
        lines.append(
            f"/sms p99 at a constant {s['constant_rate']:.0f} req/s (half the bare rate): "
            f"{s['constant_rate_p99_ms']:.1f} ms (target < {TARGET_P99_MS:g} ms)"
            + ("" if s["p99_ok"] else "  <- above target")
        )
    lines.append(
        f"server CPU per request: /sms {s['sms_cpu_ms_per_request']:.2f} ms, bare "
        f"{s['bare_cpu_ms_per_request']:.2f} ms; their ratio {s['cpu_ratio']:.3f} "
        "(less sensitive to other load on the machine than req/s)"
    )
    cpu = {k: results["phases"][k]["cpu"] for k in results["phases"]}
    lines.append(
        "CPU cores used by others on this machine during each phase (noise): "
        + ", ".join(f"{k} {v['other_cores']:.2f}" for k, v in cpu.items())
    )
    return "\n".join(lines)


def server_log_counts(path: Path) -> dict[str, int]:
    """Texts the app could not handle (it answers those with a fallback and a 200)."""
    text = path.read_text(errors="replace")
    return {
        "errors": len(re.findall(r"\b(ERROR|CRITICAL)\b", text)),
        "fallback_replies": text.count("sent the fallback reply"),
        "duplicates": text.count("duplicate delivery"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether files outside bench/ differed from it."""

    def git(*argv: str) -> str:
        out = subprocess.run(["git", "-C", str(ROOT), *argv], capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else ""

    changed = [
        line[3:] for line in git("status", "--porcelain").splitlines() if line[3:9] != "bench/"
    ]
    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "uncommitted_changes_outside_bench": changed,
        "app_from": str(Path(hrw_sms.__file__).parent),
    }


def wait_idle(server: Gunicorn, timeout: float = 15) -> None:
    """Until the server's processes use under a tenth of a core."""
    deadline = time.monotonic() + timeout
    pids = server.pids()
    while time.monotonic() < deadline:
        before = cpu_seconds(pids)
        time.sleep(0.3)
        if cpu_seconds(pids) - before < 0.03:
            return


def control_socket_options(folder: Path, name: str) -> list[str]:
    """Keep gunicorn's control socket (gunicorn 24+) in our folder, not in ~/.gunicorn."""
    help_text = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True
    ).stdout
    return (
        ["--control-socket", str(folder / f"{name}.ctl")] if "--control-socket" in help_text else []
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark POST /sms against a bare route.")
    parser.add_argument("--duration", type=float, default=15, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating throughput rounds")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per server")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (Procfile: 2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--phones", type=int, default=10_000, help="distinct phone numbers")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument(
        "--generator",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="throughput load generator (default: wrk when installed)",
    )
    parser.add_argument(
        "--text", help="send only this text instead of the mix (to measure one path)"
    )
    parser.add_argument("--no-reference", action="store_true", help="skip bare at constant rate")
    parser.add_argument(
        "--app",
        default="hrw_sms.app:create_app()",
        help="the app measured against the bare route (bench/floor_app.py: the design's floor)",
    )
    parser.add_argument(
        "--py-spy", action="store_true", help="profile one /sms worker in the throughput rounds"
    )
    args = parser.parse_args()
    if args.generator == "wrk" and not shutil.which("wrk"):
        sys.exit("bench: wrk is not installed (Debian: apt-get install wrk); or --generator python")
    if args.py_spy and not shutil.which("py-spy"):
        sys.exit("bench: py-spy is not installed (pip install py-spy)")

    started = datetime.now(UTC)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    folder = Path(tempfile.mkdtemp(prefix="hrw-sms-bench-"))
    out_dir = BENCH / "results"
    stamp = f"{started:%Y%m%d-%H%M%S}"
    servers: list[Gunicorn] = []
    redis_server: RedisServer | None = None
    spy: subprocess.Popen[Any] | None = None
    try:
        redis_server = RedisServer(folder)
        log(f"private redis-server on {redis_server.socket}")
        directory = load_directory(redis_server.client(), args.meetings, args.seed)
        log(f"directory: {directory['import']}")

        # The Procfile's web settings, bound to a free loopback port.
        options = ["--preload", "--workers", str(args.workers)]
        options += ["--worker-class", args.worker_class, "--timeout", "15"]
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TWILIO_", "HRW_", "REDIS_", "WEB_CONCURRENCY"))
        }
        env |= {"REDIS_URL": redis_server.url, "TWILIO_AUTH_TOKEN": TOKEN}
        env |= {
            "HRW_NUMBER_HASH_KEY": "bench-number-hash-key",
            "HRW_SECRET_KEY": "bench-secret-key-" + "0" * 32,
        }
        env |= {"HRW_PUBLIC_URL": PUBLIC_URL, "PYTHONUNBUFFERED": "1"}
        # The app from this checkout, even when another one is pip-installed in editable mode.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        bare = Gunicorn(
            "bare",
            "bare_app:create_app()",
            env,
            folder,
            options + control_socket_options(folder, "bare"),
        )
        sms = Gunicorn(
            "sms",
            args.app,
            env,
            folder,
            options + control_socket_options(folder, "sms"),
        )
        servers = [bare, sms]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(args.workers)
        log(f"gunicorn bare on :{bare.port}, sms on :{sms.port} ({' '.join(options)})")

        texts = Texts(
            directory["_near_zips"], directory["_far_zips"], TOWNS, args.phones, args.seed
        )
        if args.text:
            texts.choices, texts.weights = [args.text], [1]
        signer = Signer(TOKEN, SIGNED_URL, texts)
        log(f"sanity: {sanity(bare, None)}; {sanity(sms, signer)}")

        def requests_file(name: str, count: int) -> Path:
            t0 = time.monotonic()
            path = signer.write(folder / f"{name}.tsv", count)
            log(f"signed {count} requests for {name} in {time.monotonic() - t0:.1f} s")
            return path

        def throughput(server: Gunicorn, path: Path, duration: float) -> dict[str, Any]:
            with CpuMeter(server, redis_server.process) as meter:
                if args.generator == "wrk":
                    result = run_wrk(server.port, path, duration, args.connections)
                else:
                    result = run_client(server.port, path, duration, None, args.connections)
            return result | {"cpu": meter.result}

        def constant(server: Gunicorn, name: str, rate: float, seconds: float) -> dict[str, Any]:
            path = requests_file(name, int(rate * seconds) + 100)
            log(f"{name}: constant {rate:.0f} req/s for {seconds:g} s")
            with CpuMeter(server, redis_server.process) as meter:
                result = run_client(server.port, path, seconds, rate)
            wait_idle(server)  # an overloaded server still works through its queue
            return result | {"cpu": meter.result}

        # The bare route ignores what it is sent, so its file may wrap around; /sms files
        # never do (each MessageSid once; a wrap is reported as a problem).
        bare_file = requests_file("bare", 30_000)
        warm_file = requests_file("sms-warmup", max(2_000, int(args.warmup * 2_000)))
        log(f"warm-up: {args.warmup:g} s each")
        warm_bare = throughput(bare, bare_file, args.warmup)
        warm_sms = throughput(sms, warm_file, args.warmup)

        slice_s = args.duration / args.rounds
        cap = int(max(warm_bare["requests_per_s"], 1_000) * 1.5 * slice_s) + 1_000
        sms_files = [requests_file(f"sms-round-{i + 1}", cap) for i in range(args.rounds)]
        if args.py_spy:
            raw = out_dir / f"sms-bench-{stamp}-py-spy.txt"
            out_dir.mkdir(exist_ok=True)
            spy = subprocess.Popen(
                [
                    *("py-spy", "record", "--format", "raw", "--rate", "100", "--nonblocking"),
                    *("--pid", str(sms.workers[0]), "--output", str(raw)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1)
        bare_rounds: list[dict[str, Any]] = []
        sms_rounds: list[dict[str, Any]] = []
        for i in range(args.rounds):
            order = ["bare", "sms"]
            if i % 2:
                order.reverse()  # bare, sms, sms, bare, ...: drift hits both sides alike
            for name in order:
                log(f"throughput round {i + 1}/{args.rounds}: {name}, {slice_s:g} s")
                if name == "bare":
                    bare_rounds.append(throughput(bare, bare_file, slice_s))
                else:
                    sms_rounds.append(throughput(sms, sms_files[i], slice_s))
        profile = None
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
            spy = None
            profile = summarise_profile(raw) | {"file": str(raw.relative_to(ROOT))}
        phases: dict[str, Any] = {
            "bare_throughput": combine(bare_rounds),
            "sms_throughput": combine(sms_rounds),
        }
        bare_rps = phases["bare_throughput"]["requests_per_s"]
        sms_rps = phases["sms_throughput"]["requests_per_s"]
        rate = bare_rps / 2

        short = max(5.0, args.duration * 2 / 3)
        phases["sms_constant_rate"] = constant(sms, "sms-constant", rate, args.duration)
        if not args.no_reference:
            phases["bare_constant_rate"] = constant(bare, "bare-constant", rate, short)
        if sms_rps < rate:
            # Half the bare rate is more than /sms can serve: also show its latency at half
            # of its own throughput, where it is not overloaded.
            phases["sms_constant_half_own"] = constant(sms, "sms-half-own", sms_rps / 2, short)

        ratio = sms_rps / bare_rps if bare_rps else 0.0
        cpu_ms = {
            name: 1000 * phases[f"{name}_throughput"]["cpu"]["server_cores"] / rps
            for name, rps in (("bare", bare_rps), ("sms", sms_rps))
        }
        log_counts = server_log_counts(sms.log_path)
        p99 = phases["sms_constant_rate"]["latency_ms"].get("p99")
        problems = []
        if log_counts["errors"] or log_counts["duplicates"]:
            problems.append(f"the /sms server log has {log_counts}")
        if phases["sms_throughput"]["wrapped"]:
            problems.append("a /sms request file wrapped around: duplicate MessageSids")
        overloaded = []  # a finding, not a broken run
        for key, phase in phases.items():
            if phase["non_2xx"]:
                problems.append(f"{key}: {phase['non_2xx']} answers were not 2xx")
            if phase.get("unanswered"):
                overloaded.append(
                    f"{key}: overloaded, {phase['unanswered']} of {phase['attempted']} requests "
                    "not answered (their latency counts as 5 s)"
                )
            elif phase["errors"]:
                problems.append(f"{key}: {phase['errors']} connection errors")
        results = {
            "benchmark": "hrw-sms POST /sms vs a bare Flask route, same gunicorn settings",
            "started": started.isoformat(timespec="seconds"),
            "command": " ".join(["python3", "bench/run_sms_bench.py", *sys.argv[1:]]),
            "machine": {
                "cores": os.cpu_count(),
                "load_average_before": os.getloadavg(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "note": "shared machine: absolute figures are noisy, compare ratios",
            },
            "settings": {
                "gunicorn": " ".join(options) + " --bind 127.0.0.1:<free port>",
                "signature_validation": True,
                "redis": "private redis-server on a unix socket",
                "throughput_generator": args.generator,
                "connections": args.connections,
                "duration_s": args.duration,
                "rounds": args.rounds,
                "warmup_s": args.warmup,
                "phones": args.phones,
                "text_mix_percent": {args.text: 100} if args.text else CATEGORIES,
                "text_mix_detail": dict(MIX),
                "profiled_with_py_spy": args.py_spy,
            },
            "code": code_version(),
            "directory": {k: v for k, v in directory.items() if not k.startswith("_")},
            "warmup": {"bare": warm_bare, "sms": warm_sms},
            "phases": phases,
            "profile": profile,
            "sms_server_log": log_counts,
            "summary": {
                "bare_rps": bare_rps,
                "sms_rps": sms_rps,
                "ratio": round(ratio, 3),
                "ratio_ok": ratio >= TARGET_RATIO,
                "bare_cpu_ms_per_request": round(cpu_ms["bare"], 3),
                "sms_cpu_ms_per_request": round(cpu_ms["sms"], 3),
                "cpu_ratio": round(cpu_ms["bare"] / cpu_ms["sms"], 3) if cpu_ms["sms"] else 0.0,
                "constant_rate": round(rate, 1),
                "constant_rate_p99_ms": p99,
                "p99_ok": p99 is not None and p99 < TARGET_P99_MS,
                "overloaded": overloaded,
                "problems": problems,
            },
        }
        out_dir.mkdir(exist_ok=True)
        out = out_dir / f"sms-bench-{stamp}.json"
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print()
        print(table(results))
        if profile:
            print(f"\npy-spy, one /sms worker ({profile['samples']} samples), own time:")
            for frame, share in profile["own"][:10]:
                print(f"  {share:5.1f}%  {frame}")
        for note in overloaded:
            print(note)
        for problem in problems:
            print(f"problem (the run is not valid): {problem}")
        print(f"\nresults: {out.relative_to(ROOT)}")
        return 0 if not problems else 1
    finally:
        if spy is not None:
            stop_process(spy)
        for server in servers:
            server.stop()
        if redis_server is not None:
            redis_server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
