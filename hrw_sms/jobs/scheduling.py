"""Scheduled jobs: idempotent scheduling, and releasing what is due (for tests and the demo)."""

from __future__ import annotations

from datetime import datetime, timedelta

import redis
from rq.exceptions import DuplicateJobError
from rq.registry import ScheduledJobRegistry

from hrw_sms.jobs import queues
from hrw_sms.store import keys


def schedule_once(
    connection: redis.Redis,
    name: str,
    queue_name: str,
    at: datetime,
    func: str,
    *args: object,
    keep_until: datetime,
) -> bool:
    """Schedule `func(*args)` at `at` unless `name` was scheduled before; True if it is new."""
    ttl = max(60, int((keep_until - at).total_seconds()) + 86400)
    if not connection.set(keys.planned(name), "1", nx=True, ex=ttl):
        return False
    try:
        queues.queue(connection, queue_name).enqueue_at(
            at, func, *args, job_id=queues.job_id("plan", name), unique=True,
            result_ttl=0, failure_ttl=queues.FAILURE_TTL, retry=queues.CRASH_RETRY,
        )  # fmt: skip
    except DuplicateJobError:
        return False
    except BaseException:
        connection.delete(keys.planned(name))  # not scheduled after all: let a later plan try
        raise
    return True


def release_due(connection: redis.Redis, until: datetime) -> int:
    """Move every job scheduled up to `until` onto its queue now (RQ's scheduler does this
    on the real clock; tests and the demo's clock use this)."""
    released = 0
    for name in queues.ORDER:
        queue = queues.queue(connection, name)
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_jobs_to_schedule(int(until.timestamp()) + 1):
            job = queue.fetch_job(job_id)
            registry.remove(job_id)
            if job is not None:
                queue.enqueue_job(job)
                released += 1
    return released


def minute(at: datetime) -> datetime:
    """The start of the next whole minute after `at` (same time zone)."""
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1)
