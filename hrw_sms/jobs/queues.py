"""The queues, in the order workers serve them, and how texts get onto them."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job

REPLIES = "hrw-replies"  # answers people asked for, and host prompts
REMINDERS = "hrw-reminders"
BULK = "hrw-bulk"  # broadcasts
ORDER = (REPLIES, REMINDERS, BULK)

QUEUE_FOR_KIND = {"reply": REPLIES, "host": REPLIES, "reminder": REMINDERS, "bulk": BULK}

SEND_TIMEOUT = 60  # seconds a send job may run (HTTP timeout, rate waits, reconciliation)
# Texts sent later in bulk (reminders) go BATCH_SIZE to a job: RQ's own bookkeeping per job
# costs more than a send, so one job per text would halve what a worker sends per second.
BATCH_SIZE = 50
# Seconds any batch or fan-out job may run (reminder batches, broadcast batches, fan-outs):
# the longest is a broadcast batch of 500 texts of up to 3 segments at HRW_SEND_RATE=1, about
# 1500 s. A worker renews its lease while it runs, so a crash is seen long before this.
BATCH_TIMEOUT = 30 * 60
FAILURE_TTL = 60 * 60  # a failed job keeps its arguments (a body) only this long
# A send job whose worker died is retried by RQ's abandoned-job handling.
CRASH_RETRY = Retry(max=5, interval=[5, 15, 30, 60, 60])

_SAFE = re.compile(r"[^A-Za-z0-9_.:|/=@-]")


def queue(connection: redis.Redis, name: str) -> Queue:
    """The RQ queue `name` (one of ORDER) on `connection`."""
    return Queue(name, connection=connection)


def job_id(prefix: str, name: str) -> str:
    """A deterministic RQ job id for any name (RQ ids allow only [A-Za-z0-9_-])."""
    return f"{prefix}-{hashlib.sha256(name.encode()).hexdigest()[:32]}"


def message_id(*parts: str) -> str:
    """A logical message's id from its parts, in the characters outbound ids allow."""
    return _SAFE.sub("_", ":".join(parts))[:200]


def higher_priority_waiting(connection: redis.Redis, name: str) -> bool:
    """True if a queue served before `name` has jobs waiting (a long job should make way)."""
    pipe = connection.pipeline(transaction=False)
    for q in ORDER[: ORDER.index(name)]:
        pipe.llen(queue(connection, q).key)
    return any(pipe.execute())


def enqueue_once(
    connection: redis.Redis, queue_name: str, func: str, *args: object, name: str, description: str
) -> Job | None:
    """Queue one batch or fan-out job (`func` named by string, on `queue_name`) with the
    batch jobs' settings (BATCH_TIMEOUT, CRASH_RETRY, no result kept); None if the job
    named `name` (its id: job_id's form) is already queued. `description` replaces RQ's own,
    which would hold the arguments."""
    try:
        return queue(connection, queue_name).enqueue(
            func, *args,
            job_id=name, unique=True, description=description,
            result_ttl=0, failure_ttl=FAILURE_TTL, job_timeout=BATCH_TIMEOUT,
            retry=CRASH_RETRY,
        )  # fmt: skip
    except DuplicateJobError:
        return None


def enqueue_batch(
    connection: redis.Redis, kind: str, name: str, items: list[tuple], first: int = 0
) -> Job | None:
    """Queue texts (each the arguments of `deliver`) as one job; None if already queued.

    `name` with `first` names the job, so queuing the same batch twice adds nothing."""
    return enqueue_once(
        connection, QUEUE_FOR_KIND[kind], "workers.deliver.deliver_batch", name, items, first,
        name=job_id("batch", f"{name}@{first}"),
        description=f"texts {name}@{first} ({len(items)})",
    )  # fmt: skip


def enqueue_text(
    connection: redis.Redis,
    message_id: str,
    to: str,
    body: str,
    kind: str,
    *,
    timezone: str | None = None,
    at: datetime | None = None,
    expires: datetime | None = None,
    tag: str = "0",
    about: tuple[str, str] | None = None,
) -> Job | None:
    """Queue one logical text for the outbound path; None if that job is already queued.

    `tag` tells apart the jobs of one message: the first, and each rescheduling. `about`
    (hrw_sms.jobs.consent.About) is what the text is about, checked again when it is sent."""
    q = queue(connection, QUEUE_FOR_KIND[kind])
    options = dict(
        job_id=job_id("send", f"{message_id}#{tag}"),
        # RQ would describe (and log at INFO) the call with its arguments: a number and a body.
        description=f"text {message_id}",
        result_ttl=0,  # the body goes with the job as soon as it is done
        failure_ttl=FAILURE_TTL,
        job_timeout=SEND_TIMEOUT,
        retry=CRASH_RETRY,
        unique=True,
    )
    args = (message_id, to, body, kind, timezone, expires.isoformat() if expires else None, about)
    try:
        if at is None:
            return q.enqueue("workers.deliver.deliver", *args, **options)
        return q.enqueue_at(at, "workers.deliver.deliver", *args, **options)
    except DuplicateJobError:
        return None
