"""The webhook's scripts on a held connection (hrw_sms.base.connection.HeldScripts): the same
answers as the client's own way, and no text lost to a flushed script cache or a connection
the server closed."""

from __future__ import annotations

import threading

import redis
from redis.commands.core import Script

from hrw_sms.base.config import Settings
from hrw_sms.base.connection import HeldScripts, redis_for

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
