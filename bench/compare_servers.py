"""The same apps under the Procfile's gunicorn and under another WSGI server, in one run.

    pip install granian   # not a dependency: only this comparison uses it
    python3 bench/compare_servers.py [--seconds 6] [--rounds 2]

Starts a private redis-server with the bench's 1,000 meetings, then for each server
(gunicorn with the Procfile's settings; granian, a Rust HTTP server, with 2 worker
processes of one Python thread each) three apps: the bare route (bench/bare_app.py), the
real app, and the design's floor (bench/floor_app.py:create_app). Each gets the same signed
texts from wrk (-t1 -c8) in alternating rounds; prints requests per second and server CPU
per request. The question it answers: would a faster server than gunicorn bring /sms
nearer the bare route? (It makes both faster; see README "Benchmarks".)
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

import run_sms_bench as rb  # noqa: E402
from traffic import Signer, Texts  # noqa: E402

APPS = {
    "bare": "bare_app:create_app()",
    "sms": "hrw_sms.app:create_app()",
    "floor": "floor_app:create_app()",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process (and its workers) serving one app on a free loopback port."""

    def __init__(self, name: str, command: list[str], port: int, env: dict[str, str], log: Path):
        self.name, self.port = name, port
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, env=env, cwd=rb.ROOT, stdout=out, stderr=subprocess.STDOUT
            )

    def pids(self) -> list[int]:
        children = rb.children_of(self.process.pid)
        grandchildren = [g for c in children for g in rb.children_of(c)]
        return [self.process.pid, *children, *grandchildren]

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while rb._get(self.port, "/healthz") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        rb.stop_process(self.process, self.pids()[1:])


def command(kind: str, app: str, port: int, folder: Path, name: str) -> list[str]:
    if kind == "gunicorn":
        return [
            *(sys.executable, "-m", "gunicorn", "--preload", "--workers", "2"),
            *("--timeout", "15", "--bind", f"127.0.0.1:{port}"),
            *rb.control_socket_options(folder, name),
            app,
        ]
    return [
        *("granian", "--interface", "wsgi", "--workers", "2", "--blocking-threads", "1"),
        *("--backpressure", "8", "--no-ws", "--log-level", "warning", "--factory"),
        *("--port", str(port), app.removesuffix("()")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--servers", default="gunicorn,granian")
    args = parser.parse_args()
    kinds = args.servers.split(",")
    if "granian" in kinds and not shutil.which("granian"):
        sys.exit("bench: granian is not installed (pip install granian)")
    folder = Path(tempfile.mkdtemp(prefix="hrw-sms-servers-"))
    redis_server = rb.RedisServer(folder)
    servers: list[Server] = []
    try:
        directory = rb.load_directory(redis_server.client(), 1000, 2)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TWILIO_", "HRW_", "REDIS_", "WEB_CONCURRENCY"))
        }
        env |= {
            "REDIS_URL": redis_server.url,
            "TWILIO_AUTH_TOKEN": rb.TOKEN,
            "HRW_NUMBER_HASH_KEY": "bench-number-hash-key",
            "HRW_SECRET_KEY": "bench-secret-key-" + "0" * 32,
            "HRW_PUBLIC_URL": rb.PUBLIC_URL,
            "PYTHONPATH": os.pathsep.join([str(rb.ROOT), str(BENCH)]),
        }
        for kind in kinds:
            for app, target in APPS.items():
                name, port = f"{kind}-{app}", free_port()
                cmd = command(kind, target, port, folder, name)
                servers.append(Server(name, cmd, port, env, folder / f"{name}.log"))
        for server in servers:
            server.wait_ready()
        texts = Texts(directory["_near_zips"], directory["_far_zips"], rb.TOWNS, 10_000, 2)
        signer = Signer(rb.TOKEN, rb.SIGNED_URL, texts)
        results: dict[str, list[tuple[float, float]]] = {}
        for round_ in range(args.rounds):
            for server in servers:
                path = signer.write(folder / f"{server.name}-{round_}.tsv", 60_000)
                with rb.CpuMeter(server, redis_server.process) as meter:  # type: ignore[arg-type]
                    out: dict[str, Any] = rb.run_wrk(server.port, path, args.seconds, 8)
                if out["non_2xx"] or out["errors"]:
                    raise RuntimeError(f"{server.name}: {out}")
                rate, cores = out["requests_per_s"], meter.result["server_cores"]
                results.setdefault(server.name, []).append((rate, cores))
                rb.log(f"{server.name} round {round_ + 1}: {rate:.0f} req/s, {cores} cores")
        print(f"\n{'server-app':16} {'req/s':>8} {'server CPU ms/req':>18}")
        for name, runs in results.items():
            rate = sum(r for r, _ in runs) / len(runs)
            cores = sum(c for _, c in runs) / len(runs)
            print(f"{name:16} {rate:8.0f} {cores / rate * 1000:18.3f}")
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
