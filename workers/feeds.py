"""Feed syncs in the workers: every HRW_FEED_INTERVAL minutes the tick queues one job per due
feed; each job syncs its feed and, when the feed starts failing or recovers, texts the
coordinators of the groups whose meetings came from it (once per change, not per attempt)."""

from __future__ import annotations

import logging
from datetime import datetime

import redis
from rq.exceptions import DuplicateJobError

from flows.render_sms import clip
from flows.texts import text
from hrw_sms.jobs import queues
from hrw_sms.meetings import feedsync
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import coordinators
from workers.runtime import job_runtime

log = logging.getLogger(__name__)

SYNC_TIMEOUT = 300  # seconds one sync job may run (fetch timeouts plus a 5,000-meeting import)
REASON_LIMIT = 90  # characters of a failure's reason in a coordinator's text
FEED_LIMIT = 48  # characters of the feed's host and path in it


def queue_due(connection: redis.Redis, now: datetime, interval_minutes: int) -> int:
    """Queue a sync of every feed due now (once per feed and interval); how many were queued."""
    slot = int(now.timestamp() // (interval_minutes * 60))
    queued = 0
    for url in feedsync.due(connection, now, interval_minutes):
        try:
            queues.queue(connection, queues.BULK).enqueue(
                "workers.feeds.sync_one", url,
                job_id=queues.job_id("feed", f"{url}@{slot}"), unique=True,
                description=f"feed sync {feedsync.url_id(url)}",
                result_ttl=0, failure_ttl=queues.FAILURE_TTL, job_timeout=SYNC_TIMEOUT,
            )  # fmt: skip
            queued += 1
        except DuplicateJobError:
            continue
    return queued


def sync_one(url: str) -> str:
    """The job: sync one feed, tell coordinators of a change of health, return the outcome."""
    rt = job_runtime()
    outcome = feedsync.sync_feed(rt.redis, url, rt.clock())
    tell_coordinators(rt.redis, outcome)
    log.info("feed %s: %s", feedsync.url_id(url), outcome.message)
    return outcome.message


def tell_coordinators(connection: redis.Redis, outcome: feedsync.SyncOutcome) -> int:
    """One text to each coordinator of the feed's groups when it starts failing or recovers."""
    if outcome.transition is None or outcome.state is None:
        return 0
    directory = DirectoryStore(connection).load()
    groups = sorted(
        {m.group for m in directory.meetings.values() if m.source == outcome.url and m.group}
    )
    feed = feedsync.feed_label(outcome.url, FEED_LIMIT)  # host and path: a site may have two
    since = (
        outcome.state.failing_since if outcome.transition == "failing" else outcome.state.checked
    )
    queued = 0
    for slug in groups:
        group = directory.groups.get(slug)
        lang = group.language if group else "en"
        key = "feed_failing" if outcome.transition == "failing" else "feed_recovered"
        reason = clip(outcome.state.reason or "", REASON_LIMIT)
        body = text(lang, key, feed=feed, reason=reason)
        for nid, number in sorted(coordinators.of_group(connection, slug).items()):
            mid = queues.message_id("feed", outcome.transition, feedsync.url_id(outcome.url),
                                    since or "", nid)  # fmt: skip
            # The group's zone: a feed failing at 3 AM is told after quiet hours.
            zone = group.timezone if group else None
            if queues.enqueue_text(connection, mid, number, body, "host", timezone=zone):
                queued += 1
    return queued
