"""The minute tick: plan what is coming, then book the next tick (first, so a failure in
planning never breaks the chain). Every worker books a tick when it starts."""

from __future__ import annotations

import logging
from datetime import datetime

import redis
from rq.exceptions import DuplicateJobError

from hrw_sms.jobs import queues
from hrw_sms.jobs.scheduling import minute
from workers.feeds import queue_due
from workers.host_plans import plan_hosts
from workers.reminder_plans import plan_all
from workers.runtime import job_runtime

log = logging.getLogger(__name__)


def book_tick(connection: redis.Redis, now: datetime) -> bool:
    """Schedule the tick for the next minute boundary (once, however many workers ask)."""
    at = minute(now)
    try:
        queues.queue(connection, queues.REPLIES).enqueue_at(
            at, "workers.periodic.tick", job_id=queues.job_id("tick", at.isoformat()),
            unique=True, result_ttl=0, failure_ttl=queues.FAILURE_TTL, retry=queues.CRASH_RETRY,
        )  # fmt: skip
    except DuplicateJobError:
        return False
    return True


def tick() -> str:
    """The minute tick: plan the coming reminders and hosting jobs and queue the feed syncs
    that are due; a one-line summary of what was new."""
    rt = job_runtime()
    now = rt.clock()
    book_tick(rt.redis, now)
    planned = plan_all(rt.services, now)
    prompts = plan_hosts(rt.services, now)
    feeds = queue_due(rt.redis, now, rt.settings.feed_interval)
    return f"planned {planned} new reminders, {prompts} new hosting jobs, {feeds} feed syncs"
