"""Queuing a broadcast's batch jobs (run by workers/broadcasts.py, named by string)."""

from __future__ import annotations

import redis

from hrw_sms.jobs import queues

BATCH = 500  # recipients a batch job sends to, in order


def queue_batches(client: redis.Redis, broadcast_id: int, total: int) -> int:
    """Queue one job per batch of recipients (deterministic ids: queuing twice adds nothing)."""
    return sum(
        queue_batch(client, broadcast_id, start, min(start + BATCH, total))
        for start in range(0, total, BATCH)
    )


def queue_batch(
    client: redis.Redis, broadcast_id: int, start: int, stop: int, resume: int | None = None
) -> bool:
    """Queue recipients [start, stop), from `resume` on if given; False if already queued."""
    name = f"{broadcast_id}:{start}" + ("" if resume is None else f"@{resume}")
    job = queues.enqueue_once(
        client, queues.BULK, "workers.broadcasts.send_batch", broadcast_id, start, stop, resume,
        name=queues.job_id("bcast", name), description=f"broadcast batch {name}",
    )  # fmt: skip
    return job is not None
