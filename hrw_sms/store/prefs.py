"""A number's saved language choice (ESPANOL / ENGLISH): the one place that reads or writes it.

Stored in the hash keys.prefs(number_id), field "language", one of flows.model.LANGUAGES;
it expires keys.PREFS_TTL seconds after it was last set or used. A number with no saved
choice (or a value this version does not know) has None: callers fall back to the
conversation's language, the group's, or English, each as its rule says.
"""

from __future__ import annotations

import redis

from flows.model import LANGUAGES, Language
from hrw_sms.store import keys

FIELD = "language"  # also read by Lua: handlers/throttle.BUDGET_LUA, conversations.CALLER_LUA

Client = redis.Redis | redis.client.Pipeline


def decode(raw: bytes | str | None) -> Language | None:
    """A stored value (as Redis returned it) -> a language we speak, or None."""
    value = raw.decode() if isinstance(raw, bytes) else raw
    return value if value in LANGUAGES else None  # type: ignore[return-value]


def language(client: redis.Redis, number_id: str) -> Language | None:
    """The number's saved choice, or None."""
    return decode(client.hget(keys.prefs(number_id), FIELD))


def ask_language(pipe: redis.client.Pipeline, number_id: str) -> None:
    """Queue the read on a pipeline; its answer goes through `decode`."""
    pipe.hget(keys.prefs(number_id), FIELD)


def set_language(client: Client, number_id: str, value: Language) -> None:
    """Save the choice for keys.PREFS_TTL seconds (on a transaction, to apply with others)."""
    client.hset(keys.prefs(number_id), FIELD, value)
    client.expire(keys.prefs(number_id), keys.PREFS_TTL)
