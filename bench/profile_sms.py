"""Where the time of POST /sms goes: cost per kind of text, and a cProfile of the mix.

    python3 bench/profile_sms.py [--requests 3000] [--top 25]

One process, no gunicorn: the real app (signature checks on) through Flask's test client,
on a private redis-server with the same 1,000 synthetic meetings and the same text mix as
bench/run_sms_bench.py. Prints the mean CPU time of this process (steadier than wall time
on a shared machine) and wall time per kind of text; then the same texts as plain WSGI calls
(no test client) beside the bare route's (bench/bare_app.py); then the functions with the
most time of their own and the most time under them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qsl

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

import bare_app  # noqa: E402
from run_sms_bench import (  # noqa: E402
    PUBLIC_URL,
    SIGNED_URL,
    TOKEN,
    TOWNS,
    RedisServer,
    load_directory,
)
from traffic import Signer, Texts  # noqa: E402

from hrw_sms.app import create_app  # noqa: E402


def environ(signature: str, body: str) -> dict:
    """A WSGI environ for a signed POST /sms, as gunicorn would pass it."""
    data = body.encode()
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/sms", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data),
        "CONTENT_LENGTH": str(len(data)), "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_X_TWILIO_SIGNATURE": signature, "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0), "REMOTE_ADDR": "127.0.0.1",
    }  # fmt: skip


def kind_of(body: str) -> str:
    word = body.strip().lower()
    if word.isdigit():
        return "zip code" if len(word) == 5 else "list number"
    if word.startswith("meetings ") and word.split()[1] not in ("today", "online", "tomorrow"):
        return "meetings <town>"
    return word if len(word) < 24 else word[:24]


def main() -> None:
    parser = argparse.ArgumentParser(description="Profile POST /sms in one process.")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=500, help="texts sent before measuring")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hrw-sms-profile-"))
    server = RedisServer(folder)
    try:
        directory = load_directory(server.client(), 1000, args.seed)
        app = create_app(
            {
                "REDIS_URL": server.url,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "HRW_PUBLIC_URL": PUBLIC_URL,
                "HRW_NUMBER_HASH_KEY": "bench-number-hash-key",
                "HRW_SECRET_KEY": "bench-secret-key-" + "0" * 32,
            }
        )
        client = app.test_client()
        texts = Texts(directory["_near_zips"], directory["_far_zips"], TOWNS, 10_000, args.seed)
        signer = Signer(TOKEN, SIGNED_URL, texts)

        def send(line: str) -> tuple[str, float, float]:
            signature, _, body = line.partition("\t")
            params = dict(parse_qsl(body, keep_blank_values=True))
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            response = client.post(
                "/sms",
                data=body,
                headers={
                    "X-Twilio-Signature": signature,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            elapsed = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.data[:200]!r}")
            return params["Body"], cpu, elapsed

        for line in signer.lines(args.warmup):  # warm caches and give numbers some history
            send(line)
        cpu_by_kind: dict[str, list[float]] = defaultdict(list)
        wall_by_kind: dict[str, list[float]] = defaultdict(list)
        for line in signer.lines(args.requests):
            body, cpu, elapsed = send(line)
            cpu_by_kind[kind_of(body)].append(cpu)
            wall_by_kind[kind_of(body)].append(elapsed)
        total = sum(sum(v) for v in cpu_by_kind.values())
        wall = sum(sum(v) for v in wall_by_kind.values())
        print(f"{'text':26} {'share':>6} {'CPU ms':>7} {'CPU share':>9} {'wall ms':>8} {'p90':>6}")
        for kind, values in sorted(cpu_by_kind.items(), key=lambda kv: -sum(kv[1])):
            walls = wall_by_kind[kind]
            p90 = statistics.quantiles(walls, n=10)[-1] if len(walls) > 1 else walls[0]
            print(
                f"{kind:26} {len(values) / args.requests:6.1%} "
                f"{statistics.mean(values) * 1000:7.2f} {sum(values) / total:9.1%} "
                f"{statistics.mean(walls) * 1000:8.2f} {p90 * 1000:6.2f}"
            )
        n = args.requests
        print(
            f"\nall texts: {total / n * 1000:.2f} ms CPU, {wall / n * 1000:.2f} ms wall, mean "
            "per text in one process"
        )
        # The same texts as WSGI calls, no test client: the app's own cost, and the bare
        # route's (bench/bare_app.py), which is what a request costs Flask alone.
        lines = [line.split("\t", 1) for line in signer.lines(args.requests)]
        for name, wsgi in (("/sms", app), ("bare", bare_app.create_app())):
            environs = [environ(signature, body) for signature, body in lines]
            cpu0 = time.process_time()
            for env in environs:
                b"".join(wsgi(env, lambda status, headers, exc=None: None))
            cpu = (time.process_time() - cpu0) / len(environs)
            print(f"{name} in one process, WSGI calls: {cpu * 1000:.3f} ms CPU per request")
        print()

        profiler = cProfile.Profile()
        lines = list(signer.lines(args.requests))
        profiler.enable()
        for line in lines:
            send(line)
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
            stats.print_stats(args.top)
            print(f"--- by {order} ---")
            print(out.getvalue().split("\n\n", 2)[-1].rstrip())
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
