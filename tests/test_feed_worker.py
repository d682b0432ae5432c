"""A feed served over HTTP is picked up by the real `hrw-sms worker` (its minute tick, RQ's
scheduler) within HRW_FEED_INTERVAL; then the same worker process runs the syncs that find it
unchanged (304), changed, failing (coordinators told once) and recovered."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from hrw_sms.base.config import Settings
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.meetings import feedsync
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import coordinators
from tests.fake_twilio import FakeTwilio
from tests.feed_server import FeedServer
from tests.feeds import MEETINGS, feed_text
from tests.test_worker_process import WorkerProcess, wait_until, worker_env

COORDINATOR = "+14135550177"


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(environ: dict[str, str]) -> WorkerProcess:
        worker = WorkerProcess(environ, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def run_sync(client: redis.Redis, url: str) -> None:
    """Hand the running worker one sync of `url` now (what the tick queues when it is due)."""
    queues.queue(client, queues.BULK).enqueue("workers.feeds.sync_one", url, result_ttl=0)


def test_a_running_worker_keeps_a_feed_in_sync(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    client = redis.Redis.from_url(redis_url)
    store = DirectoryStore(client)
    with FakeTwilio() as fake, FeedServer(feed_text()) as server:
        environ = worker_env(redis_url, fake, HRW_FEED_INTERVAL="1", HRW_QUIET_HOURS="off")
        feedsync.add_feed(client, server.url, None, datetime.now(UTC))
        worker = start_worker(environ)
        # The first tick comes at the next minute boundary: within HRW_FEED_INTERVAL (1 min).
        wait_until(lambda: len(store.load().meetings) == 4, 75, "first sync", worker)
        assert server.statuses() == [200]
        services = Services(settings=Settings.from_env(environ), redis=client)
        nid = services.number_id(COORDINATOR)
        coordinators.add(client, nid, COORDINATOR, "hrw-northampton")

        version = store.version()
        run_sync(client, server.url)
        wait_until(lambda: server.statuses()[-1:] == [304], 20, "a 304", worker)
        assert store.version() == version

        changed = copy.deepcopy(MEETINGS)
        changed[0]["time"] = "20:15"
        server.publish(feed_text(changed))
        run_sync(client, server.url)
        wait_until(
            lambda: store.load().meetings["forbes-tuesday"].time.strftime("%H:%M") == "20:15",
            20,
            "the change",
            worker,
        )

        server.mode = "500"
        before = store.version()
        for _ in range(2):
            run_sync(client, server.url)
        wait_until(lambda: len(fake.sends(COORDINATOR)) == 1, 20, "the failing text", worker)
        wait_until(lambda: server.statuses()[-2:] == [500, 500], 20, "two failures", worker)
        assert store.version() == before  # the line keeps its last good meetings
        (feed,) = feedsync.feeds(client)
        assert feed.state.status == "failing" and "HTTP 500" in (feed.state.reason or "")

        server.mode = "ok"
        run_sync(client, server.url)
        wait_until(lambda: len(fake.sends(COORDINATOR)) == 2, 20, "the recovery text", worker)
        bodies = [r.body or "" for r in fake.sends(COORDINATOR)]
        assert "stopped updating" in bodies[0] and "updating again" in bodies[1]
