"""Broadcasts: compose and check one, start it (snapshot the recipients, queue the batches),
and follow its progress from the outbound records (counts are derived, never kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis

from flows.gsm import segments
from flows.model import Group
from flows.render_sms import broadcast_refusal, broadcast_text
from flows.texts import text
from hrw_sms.handlers.services import Services
from hrw_sms.jobs.broadcasts import BATCH, queue_batches
from hrw_sms.store import audit, keys, subscriptions


class Refused(ValueError):
    """A broadcast that cannot go: empty, too long, or no such group."""


@dataclass(frozen=True)
class Draft:
    group: Group
    final: str  # exactly what each subscriber gets
    segments: int
    recipients: int


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def prepare(services: Services, group_slug: str, message: str) -> Draft:
    """The final text and how many it reaches, or Refused with the reason (empty, no such
    group, or flows.render_sms.broadcast_refusal's: mostly emoji and the like, too long)."""
    directory = services.directory.load()
    group = directory.groups.get(group_slug)
    if group is None:
        raise Refused(f"no group {group_slug!r}")
    if not message.strip():
        raise Refused("the broadcast is empty")
    refusal = broadcast_refusal(group.language, group.name, message)
    if refusal is not None:
        raise Refused(text(group.language, refusal.key, **refusal.params))
    final = broadcast_text(group.language, group.name, message)
    cost = segments(final)
    count = len(subscriptions.group_subscribers(services.redis, directory, group_slug))
    return Draft(group, final, cost, count)


def start(services: Services, draft: Draft, *, actor: str | None, channel: str) -> int:
    """Snapshot the recipients, record and audit the broadcast, queue its batches; its id."""
    client = services.redis
    directory = services.directory.load()
    nids = sorted(subscriptions.group_subscribers(client, directory, draft.group.slug))
    broadcast_id = int(client.incr(keys.BROADCAST_SEQ))
    now = services.clock()
    batches = (len(nids) + BATCH - 1) // BATCH
    pipe = client.pipeline(transaction=True)
    key = keys.broadcast(broadcast_id)
    pipe.hset(key, mapping={
        "group": draft.group.slug, "channel": channel, "created": now.isoformat(),
        "total": len(nids), "batches": batches, "body": draft.final,
        "timezone": draft.group.timezone,
    })  # fmt: skip
    for i in range(0, len(nids), 5000):
        pipe.rpush(keys.broadcast_recipients(broadcast_id), *nids[i : i + 5000])
    pipe.set(keys.last_broadcast(draft.group.slug), broadcast_id)
    for k in (key, keys.broadcast_recipients(broadcast_id), keys.last_broadcast(draft.group.slug)):
        pipe.expire(k, keys.BROADCAST_TTL)
    pipe.execute()
    audit.record(
        client, now, actor=actor, channel=channel, action="broadcast",
        group=draft.group.slug, detail=f"broadcast {broadcast_id}", recipients=len(nids),
    )  # fmt: skip
    queue_batches(client, broadcast_id, len(nids))
    return broadcast_id


def message_id(broadcast_id: int, nid: str) -> str:
    """The logical message id of one broadcast's text to one number id."""
    return f"bcast:{broadcast_id}:{nid}"


@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    group: str
    total: int
    sent: int
    failed: int
    skipped: int
    delivered: int
    undelivered: int

    @property
    def queued(self) -> int:
        """Recipients handed to the outbound path so far (sent, delivered, failed or skipped)."""
        return self.total - self.sent - self.failed - self.skipped

    @property
    def done(self) -> bool:
        """Every message sent or finally failed (delivery may never be reported)."""
        return self.queued == 0


def progress(client: redis.Redis, broadcast_id: int) -> Progress | None:
    """A broadcast's counts read from Redis; None when it is unknown or expired."""
    record = client.hgetall(keys.broadcast(broadcast_id))
    if not record:
        return None
    listed = [_text(n) for n in client.lrange(keys.broadcast_recipients(broadcast_id), 0, -1)]
    nids = [nid for nid in listed if nid != keys.ERASED]
    pipe = client.pipeline(transaction=False)
    for nid in nids:
        pipe.hmget(keys.outbound(message_id(broadcast_id, nid)), "status", "delivery")
    # A recipient who said FORGET meanwhile is erased from the list: skipped, and settled.
    counts = {"sent": 0, "failed": 0, "skipped": len(listed) - len(nids), "delivered": 0,
              "undelivered": 0}  # fmt: skip
    for status, delivery in pipe.execute() if nids else []:
        if status and _text(status) in keys.SETTLED:
            counts[_text(status)] += 1
        if delivery and _text(delivery) == "delivered":
            counts["delivered"] += 1
        elif delivery and _text(delivery) in ("undelivered", "failed"):
            counts["undelivered"] += 1
    return Progress(broadcast_id, _text(record[b"group"]), int(record[b"total"]), **counts)


def last_id(client: redis.Redis, group_slugs: list[str] | tuple[str, ...]) -> int | None:
    """The most recent broadcast among these groups."""
    ids = [client.get(keys.last_broadcast(slug)) for slug in group_slugs]
    found = [int(i) for i in ids if i]
    return max(found) if found else None


def started_at(client: redis.Redis, broadcast_id: int) -> datetime | None:
    """When a broadcast started (aware UTC); None when unknown or expired."""
    raw = client.hget(keys.broadcast(broadcast_id), "created")
    return datetime.fromisoformat(_text(raw)) if raw else None
