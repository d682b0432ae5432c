"""Who gets reminders: REMIND subscribes a number to a meeting and so to its group's updates."""

from __future__ import annotations

from collections.abc import Iterable

import redis

from flows.model import Directory
from hrw_sms.store import keys


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def subscribe(client: redis.Redis, nid: str, number: str, meeting_slug: str) -> None:
    """Remind `nid` (E.164 `number`) of `meeting_slug`, in one transaction with the
    meeting's subscriber set. Raises redis.RedisError if Redis is down."""
    pipe = client.pipeline(transaction=True)
    pipe.hset(keys.subscriber(nid), "number", number)
    pipe.sadd(keys.reminders(nid), meeting_slug)
    pipe.sadd(keys.meeting_subscribers(meeting_slug), nid)
    pipe.sadd(keys.SUBSCRIBED_MEETINGS, meeting_slug)
    pipe.execute()


def unsubscribe(client: redis.Redis, nid: str, meeting_slug: str | None = None) -> list[str]:
    """End reminders for one meeting, or all of them; the slugs that ended."""
    slugs = (
        [meeting_slug]
        if meeting_slug
        else sorted(_text(s) for s in client.smembers(keys.reminders(nid)))
    )
    pipe = client.pipeline(transaction=True)
    for slug in slugs:
        pipe.srem(keys.reminders(nid), slug)
        pipe.srem(keys.meeting_subscribers(slug), nid)
    pipe.execute()
    if not client.exists(keys.reminders(nid)):
        client.delete(keys.subscriber(nid))
    return slugs


def reminders_of(client: redis.Redis, nid: str) -> frozenset[str]:
    """The slugs of the meetings `nid` is reminded of."""
    return frozenset(_text(s) for s in client.smembers(keys.reminders(nid)))


def number_of(client: redis.Redis, nid: str) -> str | None:
    """The E.164 number stored for subscriber `nid`, or None."""
    raw = client.hget(keys.subscriber(nid), "number")
    return _text(raw) if raw else None


def ask_number_of(pipe: redis.client.Pipeline, nid: str) -> None:
    """Queue the number_of question on a pipeline (its answer: bytes, or None if gone)."""
    pipe.hget(keys.subscriber(nid), "number")


def meeting_subscribers(client: redis.Redis, meeting_slug: str) -> set[str]:
    """The number ids reminded of `meeting_slug`."""
    return {_text(n) for n in client.smembers(keys.meeting_subscribers(meeting_slug))}


def group_subscribers(client: redis.Redis, directory: Directory, group_slug: str) -> set[str]:
    """Numbers reminded of any of the group's meetings, minus opt-outs (as number_ids)."""
    slugs = [m.slug for m in directory.meetings.values() if m.group == group_slug]
    if not slugs:
        return set()
    members = {_text(n) for n in client.sunion([keys.meeting_subscribers(s) for s in slugs])}
    if not members:
        return set()
    ordered = sorted(members)
    opted = client.smismember(keys.OPTED_OUT, ordered)
    return {nid for nid, out in zip(ordered, opted, strict=True) if not out}


def drop_meetings(client: redis.Redis, slugs: Iterable[str]) -> None:
    """Forget the subscriptions of meetings no longer in the directory."""
    for slug in slugs:
        for nid in meeting_subscribers(client, slug):
            unsubscribe(client, nid, slug)
        client.delete(keys.meeting_subscribers(slug))
        client.srem(keys.SUBSCRIBED_MEETINGS, slug)
