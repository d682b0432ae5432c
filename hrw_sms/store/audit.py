"""The audit log: who sent which broadcast or cancellation, when, to how many. Numbers are
masked; entries older than 90 days are dropped."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import redis

from hrw_sms.base.phone import mask
from hrw_sms.store import keys


@dataclass(frozen=True)
class Entry:
    at: str  # ISO time, UTC
    actor: str  # masked number, or "cli"
    channel: str  # "sms" or "cli"
    action: str  # "broadcast" or "cancel"
    group: str
    detail: str  # broadcast id, or the cancelled occurrence
    recipients: int


def record(
    client: redis.Redis,
    now: datetime,
    *,
    actor: str | None,
    channel: str,
    action: str,
    group: str,
    detail: str,
    recipients: int,
) -> Entry:
    """Append who did what to how many (`actor` masked, "cli" when None; `now` aware) and
    drop entries older than AUDIT_DAYS days. Returns the entry; redis.RedisError if down."""
    entry = Entry(now.isoformat(), mask(actor) if actor else "cli", channel, action, group,
                  detail, recipients)  # fmt: skip
    cutoff = (now - timedelta(days=keys.AUDIT_DAYS)).timestamp()
    pipe = client.pipeline(transaction=True)
    pipe.zadd(keys.AUDIT, {json.dumps(asdict(entry), sort_keys=True): now.timestamp()})
    pipe.zremrangebyscore(keys.AUDIT, "-inf", cutoff)
    pipe.execute()
    return entry


def entries(client: redis.Redis, now: datetime, days: int = keys.AUDIT_DAYS) -> list[Entry]:
    """Entries of the last `days` days, oldest first."""
    since = (now - timedelta(days=days)).timestamp()
    return [Entry(**json.loads(raw)) for raw in client.zrangebyscore(keys.AUDIT, since, "+inf")]
