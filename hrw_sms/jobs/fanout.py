"""Fan-out jobs: one job that turns one event into many texts, run by a worker, never inside
a webhook. A reminder's fan-out is scheduled (workers/reminders.py), a broadcast's batches
are queued by hrw_sms/jobs/broadcasts.py; a cancellation's notices are queued here. Jobs are
named by string so the web layer never imports workers/."""

from __future__ import annotations

import redis

from flows.model import OccurrenceId
from hrw_sms.jobs import queues

CANCELLATION_NOTICES = "workers.cancellations.send_notices"


def queue_cancellation(connection: redis.Redis, occurrence: OccurrenceId) -> bool:
    """Queue the job that tells a cancelled occurrence's subscribers and host (on the bulk
    queue, where the notices themselves go). False if that job is already waiting: the ids
    of the texts it queues are deterministic, so one run suffices."""
    job = queues.enqueue_once(
        connection, queues.BULK, CANCELLATION_NOTICES, str(occurrence),
        name=queues.job_id("cancel", str(occurrence)),
        description=f"cancellation notices {occurrence}",
    )  # fmt: skip
    return job is not None
