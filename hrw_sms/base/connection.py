"""Redis connections: short timeouts, so a Redis outage is noticed within a second; and,
with REDIS_SENTINELS, the master found through Sentinel, so a failover is followed.

Every process (web, `hrw-sms worker` and the RQ scheduler it forks, the CLI, the demo)
gets its client from `redis_for(settings)`: one place decides how to reach Redis."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Sequence
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.commands.core import Script
from redis.connection import AbstractConnection, parse_url
from redis.exceptions import NoScriptError
from redis.retry import Retry
from redis.sentinel import (
    Sentinel,
    SentinelConnectionPool,
    SentinelManagedConnection,
    SentinelManagedSSLConnection,
)

from hrw_sms.base.config import ConfigError, Settings

CONNECT_TIMEOUT = 0.3  # seconds to open a socket to Redis or a Sentinel
COMMAND_TIMEOUT = 0.5  # seconds for one command's answer (web)
WORKER_CONNECT_TIMEOUT = 2.0  # workers and the CLI: a vanished host is noticed, not waited on
SENTINEL_TIMEOUT = 0.3  # seconds for one Sentinel to answer "who is the master?"
WORKER_SENTINEL_TIMEOUT = 1.0

# Web: one immediate retry, so a pooled socket the server closed (or a master that just
# changed) costs a reconnect, not a fallback reply; a dead master fails the command within
# CONNECT_TIMEOUT + COMMAND_TIMEOUT per try and the text gets the fallback reply.
# Set explicitly: redis-py's defaults differ by path (a client made with `Redis(host, port)`
# retries 10 times with backoff, 3+ s against a dead port; `from_url` and `master_for` do not).
# A timeout is not retried: the command may have run (a lock taken, a MessageSid claimed),
# and sent again it would make the text look like its own duplicate and go unanswered; a
# timeout gets the fallback reply at once instead (tests/test_held_scripts.py).
WEB_RETRY = Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,))
# Workers and the CLI: a few retries over ~2.5 s ride out a short blip; RQ itself keeps
# retrying a lost connection (with growing pauses) for as long as a failover takes.
WORKER_RETRY = Retry(ExponentialBackoff(cap=1.0, base=0.05), 6)
# Sentinels: no retry; redis-py asks the next Sentinel when one does not answer. (Sentinel()
# makes its clients with `Redis(host, port)`: with the default retries, two dead Sentinels
# held a text for 16 s before its fallback reply.)
SENTINEL_RETRY = Retry(NoBackoff(), 0)
MASTER_CHECK = 1.0  # seconds between asking the Sentinels where the master is (MasterWatch)
# By the pool's proxy, which the connections of every pool made from it share.
_WATCHES: weakref.WeakKeyDictionary[Any, MasterWatch] = weakref.WeakKeyDictionary()


def connect(url: str, *, timeouts: bool = True) -> redis.Redis:
    """A client for `url`. Workers and the CLI may ask for no command timeout (long jobs)."""
    return redis.Redis.from_url(url, **_options(timeouts))


def redis_for(settings: Settings, *, timeouts: bool = True) -> redis.Redis:
    """The configured Redis: through Sentinel when REDIS_SENTINELS is set, else REDIS_URL.

    `timeouts=False` (workers, CLI): no command timeout, since RQ blocks on its queues for
    seconds at a time; connecting still times out. With Sentinels, every new connection asks
    them for the master's address, so after a failover the next command reaches the new
    master; REDIS_URL's database number, user and password (and rediss:// for TLS) apply
    to the master, its host and port are ignored.

    Raises ConfigError when neither REDIS_URL nor REDIS_SENTINELS is set."""
    if not settings.redis_sentinels:
        if not settings.redis_url:
            raise ConfigError("REDIS_URL", "is not set")
        return connect(settings.redis_url, timeouts=timeouts)
    sentinel_timeout = SENTINEL_TIMEOUT if timeouts else WORKER_SENTINEL_TIMEOUT
    sentinel = Sentinel(
        list(settings.redis_sentinels),
        sentinel_kwargs={
            "socket_connect_timeout": sentinel_timeout,
            "socket_timeout": sentinel_timeout,
            "retry": SENTINEL_RETRY,
        },
    )
    master = _master_options(settings.redis_url)
    client = sentinel.master_for(
        settings.redis_sentinel_master,
        connection_class=WatchedSSLConnection if master.pop("ssl", False) else WatchedConnection,
        **master,
        **_options(timeouts),
    )
    MasterWatch.start(client.connection_pool)
    return client


def _options(timeouts: bool) -> dict:
    options: dict = {"health_check_interval": 30}
    if timeouts:
        return options | {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": COMMAND_TIMEOUT,
            "retry": WEB_RETRY,
        }
    return options | {"socket_connect_timeout": WORKER_CONNECT_TIMEOUT, "retry": WORKER_RETRY}


def _master_options(url: str | None) -> dict:
    """What of REDIS_URL still applies behind Sentinel: db, username, password, TLS."""
    if not url:
        return {}
    parsed = parse_url(url)
    options = {k: parsed[k] for k in ("db", "username", "password") if parsed.get(k) is not None}
    if urlsplit(url).scheme == "rediss":
        options["ssl"] = True
    return options


class MasterWatch:
    """Asks the Sentinels every MASTER_CHECK seconds where the master is, in a thread of
    each process (started again in a forked child: gunicorn's workers, RQ's scheduler).

    redis-py asks the Sentinels only when it opens a connection. After a failover that
    leaves the old master running (SENTINEL FAILOVER, a partition, a frozen machine that
    wakes), connections already open kept writing to it until Sentinel demoted it, about
    10 s later, and those writes were thrown away when it resynced (the second tester saw
    107 of 120 texts answered but their sessions, claims and counts lost). With the watch,
    every connection redis_for makes (WatchedConnection, also in the pools RQ's scheduler
    builds from it) compares its address with the watch's before each command and, when the
    master has moved, reconnects through the Sentinels; so writes move within about
    MASTER_CHECK after Sentinel switches. Asking from a thread keeps Sentinels that do not
    answer out of the texts' way. The thread ends when the pool is gone."""

    def __init__(self, pool: SentinelConnectionPool) -> None:
        self._pool = weakref.ref(pool)
        self.address: tuple[str, int] | None = None
        self.checked = 0.0  # time.monotonic() of the last answer

    @classmethod
    def start(cls, pool: SentinelConnectionPool) -> MasterWatch:
        """Watch `pool`'s master (once per pool), in this process and in its forks."""
        watch = _WATCHES.get(pool.proxy)
        if watch is None:
            watch = _WATCHES[pool.proxy] = cls(pool)
            watch._run_thread()
            ref = weakref.ref(watch)
            os.register_at_fork(after_in_child=lambda: (w := ref()) is not None and w._run_thread())
        return watch

    def moved_from(self, address: tuple[str, int]) -> bool:
        """Whether the master is known, lately, to be somewhere other than `address`."""
        fresh = time.monotonic() - self.checked < 3 * MASTER_CHECK
        return fresh and self.address is not None and address != self.address

    def _run_thread(self) -> None:
        threading.Thread(target=self._loop, name="hrw-master-watch", daemon=True).start()

    def _loop(self) -> None:
        while (pool := self._pool()) is not None:
            with suppress(Exception):  # Sentinels not answering: keep what we knew
                self.address = tuple(pool.get_master_address())  # type: ignore[assignment]
                self.checked = time.monotonic()
            del pool
            time.sleep(MASTER_CHECK)


class _FollowsTheMaster:
    """Before each command, a connection to a master that has moved (MasterWatch) is
    closed, and any closed connection is opened through the Sentinels (redis-py would
    reopen it at its last address, which after a failover is the old master's)."""

    connection_pool: Any
    host: str
    port: int
    _following = False  # inside the check: connect()'s own handshake commands skip it

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if not self._following:
            self._following = True
            try:
                watch = _WATCHES.get(self.connection_pool)
                if watch is not None and watch.moved_from((self.host, self.port)):
                    self.disconnect()  # type: ignore[attr-defined]
                self.connect()  # type: ignore[attr-defined]  # Sentinel's; no-op when connected
            finally:
                self._following = False
        super().send_packed_command(command, check_health)  # type: ignore[misc]


class WatchedConnection(_FollowsTheMaster, SentinelManagedConnection):
    """redis-py's SentinelManagedConnection that follows MasterWatch."""


class WatchedSSLConnection(_FollowsTheMaster, SentinelManagedSSLConnection):
    """redis-py's SentinelManagedSSLConnection that follows MasterWatch (rediss://)."""


class HeldScripts:
    """Runs the webhook's two scripts per text (the arrival and the save) by EVALSHA on one
    connection per process and thread, held out of the client's pool.

    redis-py's client spends about 15-30 µs per command on the pool checkout and its
    instrumentation (bench/profile_sms.py); on the hot path that was a tenth of /sms. The
    held connection is made by the client's own pool (`make_connection`: same address,
    timeouts and health checks; through Sentinel when configured) and used as the pool
    would use it: `connect()` once per call, as the pool's checkout does (a
    SentinelManagedConnection asks the Sentinels for the master only there; a demoted
    master's READONLY becomes a ConnectionError), then the command under the connection's
    own Retry (WEB_RETRY: one immediate retry after a reconnect).

    Unlike the client, a command whose answer timed out is not sent again: the script may
    have run (the MessageSid claimed), so a second run would leave the text unanswered as a
    duplicate; the caller answers with its fallback instead, within one COMMAND_TIMEOUT. Any
    failure but an error answer from Redis drops the connection, so no late answer is read
    as the next one's. A script the server does not know (a restarted or promoted Redis) is
    loaded and the call made again. Any other client (fakeredis in the demo without
    redis-server) runs the script the client's own way. Raises what the client would:
    redis.ConnectionError, redis.TimeoutError, redis.ResponseError."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(
        self, script: Script, client: redis.Redis, keys: Sequence[Any], args: Sequence[Any]
    ) -> Any:
        if type(client) is not redis.Redis:
            return script(keys=keys, args=args, client=client)
        connection = self._connection(client)
        command = ("EVALSHA", script.sha, len(keys), *keys, *args)
        connection.connect()  # the pool's checkout: a no-op when connected
        try:
            return _run(connection, command)
        except NoScriptError:
            client.script_load(script.script)
            return _run(connection, command)

    def _connection(self, client: redis.Redis) -> AbstractConnection:
        held = getattr(self._local, "held", None)
        pid = os.getpid()
        # A new one after a fork (gunicorn --preload) or for another client (a test's).
        if held is None or held[0] != pid or held[1] is not client.connection_pool:
            held = (pid, client.connection_pool, client.connection_pool.make_connection())
            self._local.held = held
        return held[2]


def _run(connection: AbstractConnection, command: tuple[Any, ...]) -> Any:
    """Send `command` and read its answer under the connection's Retry, never retrying a
    timed-out answer (see HeldScripts)."""

    def run() -> Any:
        connection.send_command(*command)
        return connection.read_response()

    def drop(error: Exception) -> None:
        connection.disconnect()

    try:
        return connection.retry.call_with_retry(run, drop, is_retryable=_not_timeout)
    except redis.ResponseError:
        raise  # Redis answered: the connection is in step
    except BaseException:
        connection.disconnect()
        raise


def _not_timeout(error: Exception) -> bool:
    return not isinstance(error, (redis.TimeoutError, TimeoutError))
