"""number_id: a keyed hash of a phone number, so keys and the opt-out list name nobody.

The key (HRW_NUMBER_HASH_KEY) lives outside Redis: a Redis dump alone cannot tell whose ids
it holds. Only the demo (and a set-up without TWILIO_AUTH_TOKEN) makes a random key and keeps
it in Redis. An older version kept that key in Redis in production too: `move_out` is the
one-time way to take it out without renaming every number (which would lose the opt-outs).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

import redis

from hrw_sms.base.config import ConfigError
from hrw_sms.store import keys


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def hash_key(client: redis.Redis, configured: str | None = None) -> bytes:
    """HRW_NUMBER_HASH_KEY if set, else a random key made once and kept in Redis (the demo).

    Call once at start-up and keep the result: it never changes. Raises ConfigError when the
    configured key differs from one still kept in Redis (every number would get a new id, and
    the opt-outs kept under the old ids would no longer be found)."""
    stored = client.get(keys.HASH_KEY)
    if configured:
        if stored is not None and _text(stored) != configured:
            raise ConfigError(
                "HRW_NUMBER_HASH_KEY",
                "differs from the key still kept in Redis, so opt-outs would be lost; "
                "run `hrw-sms hash-key move`",
            )
        return configured.encode()
    if stored is not None:
        return stored
    client.set(keys.HASH_KEY, secrets.token_hex(32), nx=True)
    value = client.get(keys.HASH_KEY)
    if value is None:
        raise RuntimeError("the number hash key vanished from Redis")
    return value


def number_id(key: bytes, e164: str) -> str:
    return hmac.new(key, e164.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Move:
    """Where moving the key out of Redis stands.

    - "none": Redis keeps no key (nothing to move);
    - "show": Redis keeps `key` and HRW_NUMBER_HASH_KEY is unset: put `key` there, then
      confirm (or run again with it set) to remove it from Redis;
    - "removed": Redis no longer keeps the key (it was the configured one, or confirmed);
    - "differs": HRW_NUMBER_HASH_KEY is set to another key: nothing changed."""

    state: Literal["none", "show", "removed", "differs"]
    key: str | None = None


def stored_key(client: redis.Redis) -> str | None:
    raw = client.get(keys.HASH_KEY)
    return _text(raw) if raw is not None else None


def move_out(client: redis.Redis, configured: str | None, confirmed: bool = False) -> Move:
    """Take the key out of Redis, once the environment holds it.

    Removes it only when HRW_NUMBER_HASH_KEY already holds the same key, or when the
    operator `confirmed` that they saved the key shown (the "show" step). The removal is a
    compare-and-delete: a key that changed meanwhile is left alone."""
    stored = stored_key(client)
    if stored is None:
        return Move("none")
    if configured is not None and configured != stored:
        return Move("differs")
    if configured is None and not confirmed:
        return Move("show", stored)
    _compare_and_delete(client, stored)
    return Move("removed", None if configured else stored)


_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _compare_and_delete(client: redis.Redis, expected: str) -> None:
    client.eval(_DELETE_IF, 1, keys.HASH_KEY, expected)
