"""Reading (and adding to) the daily usage counters: one hash per UTC day, keys.usage(day),
counter name -> count, never per number. The console's Usage page reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import redis

from hrw_sms.store import keys
from hrw_sms.store.roles import text

# The counters the console shows, in order, with their labels.
NAMES: dict[str, str] = {
    "texts_received": "Texts received",
    "lists_sent": "Meeting lists sent",
    "details_asked": "Details asked",
    "reminders_sent": "Reminders sent",
    "subscriptions": "New subscriptions",
    "opt_outs": "Opt-outs",
    "calls": "Calls",
}


# What a text from a plain number asked for (flows.keywords word) -> the counter it adds to.
WORD_COUNTERS: dict[str, str] = {
    "MEETINGS": "lists_sent",
    "ZIP": "lists_sent",
    "MORE": "lists_sent",
    "NUMBER": "details_asked",
    "REMIND": "subscriptions",
    "OPTOUT": "opt_outs",
}


RECEIVED = "texts_received"  # every text from a plain number, answered or not


def word_counter(word: str | None) -> str | None:
    """The counter an answered text with keyword `word` adds to besides RECEIVED, if any."""
    return WORD_COUNTERS.get(word) if word is not None else None


def count_text(client: redis.Redis, now: datetime, word: str | None) -> None:
    """One text received from a plain number, and what it asked for (its keyword; None when
    it was not answered)."""
    pipe = client.pipeline(transaction=False)
    count(pipe, now, RECEIVED)
    counter = word_counter(word)
    if counter is not None:
        count(pipe, now, counter)
    pipe.execute()


def count(
    client: redis.Redis | redis.client.Pipeline, now: datetime, name: str, by: int = 1
) -> None:
    """Add to one of today's (UTC) counters; the day's hash expires after USAGE_TTL."""
    key = keys.usage(now.astimezone(UTC).date())
    client.hincrby(key, name, by)
    client.expire(key, keys.USAGE_TTL)


@dataclass(frozen=True)
class Day:
    day: date
    counts: dict[str, int]  # counter name -> count (missing: 0)


def daily(client: redis.Redis, today: date, days: int = 90) -> list[Day]:
    """The last `days` days up to `today`, oldest first."""
    wanted = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    pipe = client.pipeline(transaction=False)
    for day in wanted:
        pipe.hgetall(keys.usage(day))
    return [
        Day(day, {text(k): int(v) for k, v in raw.items()})
        for day, raw in zip(wanted, pipe.execute(), strict=True)
    ]


def totals(days: list[Day]) -> dict[str, int]:
    """Each shown counter summed over the days."""
    return {name: sum(d.counts.get(name, 0) for d in days) for name in NAMES}
