"""The webhook's scripts on a held connection (hrw_sms.base.connection.HeldScripts): the same
answers as the client's own way, and no text lost to a flushed script cache or a connection
the server closed."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.commands.core import Script

from hrw_sms.base.config import Settings
from hrw_sms.base.connection import COMMAND_TIMEOUT, HeldScripts, redis_for
from tests.redis_server import RedisServer

ECHO = Script(None, b"redis.call('INCR', KEYS[1]) return {ARGV[1], redis.call('GET', KEYS[1])}")  # type: ignore[arg-type]


def web_client(redis_url: str) -> redis.Redis:
    """The web's client, as redis_for makes it (timeouts, one retry)."""
    return redis_for(Settings.from_env({"REDIS_URL": redis_url}, hash_key_required=False))


def test_answers_as_the_client_does(redis_url: str) -> None:
    client = web_client(redis_url)
    held = HeldScripts()
    assert held(ECHO, client, ["n"], ["a"]) == [b"a", b"1"]
    assert ECHO(keys=["n"], args=["b"], client=client) == [b"b", b"2"]
    assert held(ECHO, client, ["n"], ["c"]) == [b"c", b"3"]


def test_one_connection_is_held_and_reused(redis_url: str) -> None:
    client, watcher = web_client(redis_url), redis.Redis.from_url(redis_url)
    held = HeldScripts()
    held(ECHO, client, ["n"], ["a"])
    before = {c["id"] for c in watcher.client_list()}
    for _ in range(20):
        held(ECHO, client, ["n"], ["a"])
    assert {c["id"] for c in watcher.client_list()} == before
    assert int(watcher.get("n")) == 21


def test_a_flushed_script_cache_costs_no_text(redis_url: str) -> None:
    client, admin = web_client(redis_url), redis.Redis.from_url(redis_url)
    held = HeldScripts()
    held(ECHO, client, ["n"], ["a"])
    admin.script_flush()  # as after a restart or on a promoted replica
    assert held(ECHO, client, ["n"], ["b"]) == [b"b", b"2"]


def test_a_connection_the_server_closed_is_made_again(redis_url: str) -> None:
    client, admin = web_client(redis_url), redis.Redis.from_url(redis_url)
    held = HeldScripts()
    held(ECHO, client, ["n"], ["a"])
    mine = {c["id"] for c in admin.client_list()} - {str(admin.client_id())}
    for client_id in mine:
        admin.client_kill_filter(_id=client_id)
    assert held(ECHO, client, ["n"], ["b"]) == [b"b", b"2"]  # one retry, as WEB_RETRY says


def test_each_thread_has_its_own_connection(redis_url: str) -> None:
    client, watcher = web_client(redis_url), redis.Redis.from_url(redis_url)
    held = HeldScripts()
    watcher.ping()
    start = len(watcher.client_list())
    done, counted = threading.Barrier(5), threading.Barrier(5)
    errors: list[BaseException] = []

    def texts() -> None:
        try:
            for _ in range(200):
                held(ECHO, client, ["n"], ["x"])
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        done.wait()
        counted.wait()  # alive (and holding its connection) while the connections are counted

    threads = [threading.Thread(target=texts) for _ in range(4)]
    for thread in threads:
        thread.start()
    done.wait()
    connections = len(watcher.client_list())
    counted.wait()
    for thread in threads:
        thread.join()
    assert not errors
    assert int(watcher.get("n")) == 800
    assert connections == start + 4


def test_another_client_runs_the_script_its_own_way() -> None:
    import fakeredis

    fake = fakeredis.FakeRedis()
    assert HeldScripts()(ECHO, fake, ["n"], ["a"]) == [b"a", b"1"]


@pytest.fixture
def paused_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server the test may stop (SIGSTOP): it accepts connections and
    answers nothing, as a hung or overloaded Redis does."""
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
        server.stop()


def test_a_stopped_redis_costs_one_command_timeout_then_works_again(
    paused_redis: RedisServer,
) -> None:
    """A Redis that accepts connections and answers nothing (SIGSTOP): the call fails after
    one COMMAND_TIMEOUT (0.5 s; the old way took 1.0-2.0 s: a retry and a reconnect, each
    timing out), so the text's fallback reply goes within a second; then back to work.
    (Whether a timed-out script is sent again: test_a_slow_script_is_run_once.)"""
    client = web_client(paused_redis.url)
    held = HeldScripts()
    assert held(ECHO, client, ["n"], ["a"]) == [b"a", b"1"]
    os.kill(paused_redis.process.pid, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(redis.TimeoutError):
        held(ECHO, client, ["n"], ["b"])
    waited = time.monotonic() - started
    os.kill(paused_redis.process.pid, signal.SIGCONT)
    assert waited < 2 * COMMAND_TIMEOUT, waited  # about 0.5 s: a margin of as much again
    assert held(ECHO, client, ["n"], ["c"]) == [b"c", b"3"]  # "b" ran when Redis woke


# Runs for about 0.8 s (longer than COMMAND_TIMEOUT), then counts itself.
SLOW = Script(
    None,  # type: ignore[arg-type]
    b"""
local start = redis.call('TIME')
local function elapsed()
  local now = redis.call('TIME')
  return (now[1] - start[1]) + (now[2] - start[2]) / 1e6
end
while elapsed() < tonumber(ARGV[1]) do end
return redis.call('INCR', KEYS[1])
""",
)


@pytest.mark.parametrize("way", ["held", "the web client's own"])
def test_a_slow_script_is_run_once(redis_url: str, way: str) -> None:
    """The answer times out while the script still runs: a retry would reconnect once
    Redis is free and run it again. Neither the held connection nor the web's client
    (WEB_RETRY) sends a timed-out command again."""
    client = web_client(redis_url)
    with pytest.raises(redis.TimeoutError):
        if way == "held":
            HeldScripts()(SLOW, client, ["slow"], [COMMAND_TIMEOUT + 0.3])
        else:
            SLOW(keys=["slow"], args=[COMMAND_TIMEOUT + 0.3], client=client)
    time.sleep(COMMAND_TIMEOUT + 0.5)
    assert int(redis.Redis.from_url(redis_url).get("slow")) == 1
