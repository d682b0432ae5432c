"""Broadcast jobs: batches of recipients, each text through the one outbound path."""

from __future__ import annotations

import logging

import redis

from hrw_sms.handlers.broadcasts import message_id
from hrw_sms.jobs import queues
from hrw_sms.jobs.broadcasts import queue_batch
from hrw_sms.jobs.consent import resolve
from hrw_sms.store import keys, subscriptions
from workers.deliver import WayMaker, deliver_checked
from workers.outbound import skip_unless_erased
from workers.runtime import job_runtime

log = logging.getLogger(__name__)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def send_batch(broadcast_id: int, start: int, stop: int, resume: int | None = None) -> str:
    """Send the broadcast to recipients [start, stop), or [resume, stop) when an earlier run
    made way for more urgent texts. Safe to run again after a crash: each text has its own
    idempotency key, so nobody gets a second copy."""
    rt = job_runtime()
    way = WayMaker(rt, queues.BULK)
    client = rt.redis
    first = start if resume is None else resume
    record = client.hmget(keys.broadcast(broadcast_id), "body", "timezone", "group")
    body, timezone, group = (_text(v) if v else None for v in record)
    if body is None or group is None:
        return "nothing to send: the broadcast is finished or gone"
    recipients = keys.broadcast_recipients(broadcast_id)
    nids = [_text(n) for n in client.lrange(recipients, first, stop - 1)]
    pipe = client.pipeline(transaction=False)
    for nid in nids:
        subscriptions.ask_number_of(pipe, nid)
    numbers = pipe.execute()
    about = ("group", group)
    consent = resolve(about, rt.services.directory.load)  # the group's meetings, once a batch
    for i, (nid, number) in enumerate(zip(nids, numbers, strict=True)):
        if way.should_stop(i):
            queue_batch(client, broadcast_id, start, stop, first + i)
            return f"broadcast {broadcast_id}: {first}-{first + i - 1} handled, the rest put back"
        mid = message_id(broadcast_id, nid)
        if nid == keys.ERASED:  # FORGET: counted as skipped by progress, nothing recorded
            continue
        if number is None:  # unsubscribed since the broadcast started (or erased meanwhile)
            skip_unless_erased(rt.deps(), mid, nid, (recipients, first + i), "bulk")
            continue
        # Each text is checked again (opt-outs, the group's updates, FORGET) when it goes.
        slot = (recipients, first + i)
        deliver_checked(rt, mid, _text(number), body, "bulk", timezone, None, about, consent, slot)
    _finish_batch(client, broadcast_id, start)
    return f"broadcast {broadcast_id}: recipients {start}-{stop - 1} handled"


def _finish_batch(client: redis.Redis, broadcast_id: int, start: int) -> None:
    """Once every batch has run, drop the body: any retry carries its own copy."""
    done_key = keys.broadcast_batches_done(broadcast_id)
    pipe = client.pipeline(transaction=True)
    pipe.sadd(done_key, start)
    pipe.expire(done_key, keys.BROADCAST_TTL)
    pipe.scard(done_key)
    pipe.hget(keys.broadcast(broadcast_id), "batches")
    _, _, done, batches = pipe.execute()
    if batches is not None and int(done) >= int(batches):
        client.hdel(keys.broadcast(broadcast_id), "body")
