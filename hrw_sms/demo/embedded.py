"""The embedded default store, used when REDIS_URL is unset: a private redis-server in a
local folder (AOF on) if one is installed, else an in-process fakeredis."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import redis

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = ".hrw-sms"


def data_dir() -> Path:
    """The demo's data folder: HRW_DATA_DIR, or .hrw-sms in the working folder, absolute."""
    return Path(os.environ.get("HRW_DATA_DIR", DEFAULT_DATA_DIR)).resolve()


@dataclass
class EmbeddedStore:
    url: str | None  # None when in-process (fakeredis): only this process can reach it
    client: redis.Redis
    started_here: bool
    description: str


def _ping(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.3).ping())
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        return False


@contextmanager
def embedded_store(folder: Path | None = None) -> Iterator[EmbeddedStore]:
    """Reach the embedded store, starting it if no other process has; stop it on exit if we did."""
    folder = folder or data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "redis.sock"
    url = f"unix://{socket}"
    if socket.exists() and _ping(url):
        yield EmbeddedStore(url, redis.Redis.from_url(url), False, f"the running store in {folder}")
        return
    binary = shutil.which("redis-server")
    if binary is None:
        # lazy: fakeredis (and Lua) load only when redis-server is missing
        import fakeredis

        log.warning("redis-server is not installed: using an in-process store that is lost on exit")
        yield EmbeddedStore(None, fakeredis.FakeRedis(), True, "an in-process store (fakeredis)")
        return
    process = subprocess.Popen(
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(folder),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--logfile",
            str(folder / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not _ping(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"could not start redis-server; see {folder / 'redis.log'}")
        time.sleep(0.02)
    client = redis.Redis.from_url(url)
    try:
        yield EmbeddedStore(url, client, True, f"a private redis-server with data in {folder}")
    finally:
        with suppress(redis.exceptions.ConnectionError, redis.exceptions.ResponseError):
            client.shutdown()  # flushes the AOF
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
