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


_CHECK_LABEL = b"hrw-sms number hash key check v1"


def fingerprint(key: bytes) -> str:
    """A check value for `key` (hex): proves which key made the ids without revealing it."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()


def _keep_fingerprint(client: redis.Redis, key: bytes) -> None:
    """Write the key's check value once; ConfigError when Redis already holds another one."""
    client.set(keys.HASH_KEY_CHECK, fingerprint(key), nx=True)
    kept = client.get(keys.HASH_KEY_CHECK)
    if kept is not None and not hmac.compare_digest(_text(kept), fingerprint(key)):
        raise ConfigError(
            "HRW_NUMBER_HASH_KEY",
            "is not the key this Redis's ids were made with (its check value differs), so every "
            "opt-out would be lost; set it to the key in use",
        )


def hash_key(client: redis.Redis, configured: str | None = None) -> bytes:
    """HRW_NUMBER_HASH_KEY if set, else a random key made once and kept in Redis (the demo).

    Call once at start-up and keep the result: it never changes. The first key used is
    recorded by its fingerprint (keys.HASH_KEY_CHECK). Raises ConfigError (one line naming
    HRW_NUMBER_HASH_KEY) when the configured key differs from one still kept in Redis or
    from the fingerprint, and when no key is configured but Redis has a fingerprint and no
    key (the key was moved out): making a new one would rename every number and lose the
    opt-outs kept under the old ids."""
    stored = client.get(keys.HASH_KEY)
    if configured:
        if stored is not None and _text(stored) != configured:
            raise ConfigError(
                "HRW_NUMBER_HASH_KEY",
                "differs from the key still kept in Redis, so opt-outs would be lost; "
                "run `hrw-sms hash-key move`",
            )
        _keep_fingerprint(client, configured.encode())
        return configured.encode()
    if stored is None:
        if client.exists(keys.HASH_KEY_CHECK):
            raise ConfigError(
                "HRW_NUMBER_HASH_KEY",
                "must be set: the key this Redis's ids were made with was moved out of Redis "
                "(a new key would lose every opt-out)",
            )
        # A fresh, empty Redis with no key configured (local use, tests, the demo).
        client.set(keys.HASH_KEY, secrets.token_hex(32), nx=True)
        stored = client.get(keys.HASH_KEY)
        if stored is None:
            raise RuntimeError("the number hash key vanished from Redis")
    _keep_fingerprint(client, stored)
    return stored


def number_id(key: bytes, e164: str) -> str:
    """The id that names an E.164 number in Redis: HMAC-SHA256 under `key`, 32 hex digits
    (README, "The number hash key")."""
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
    """The number hash key kept in Redis (made when none was configured), or None."""
    raw = client.get(keys.HASH_KEY)
    return _text(raw) if raw is not None else None


def move_out(client: redis.Redis, configured: str | None, confirmed: bool = False) -> Move:
    """Take the key out of Redis, once the environment holds it.

    Removes it only when HRW_NUMBER_HASH_KEY already holds the same key, or when the
    operator `confirmed` that they saved the key shown (the "show" step). The removal is a
    compare-and-delete: a key that changed meanwhile is left alone."""
    stored = stored_key(client)
    if stored is None:
        if configured is not None:
            _keep_fingerprint(client, configured.encode())  # ConfigError when it differs
        return Move("none")
    if configured is not None and configured != stored:
        return Move("differs")
    if configured is None and not confirmed:
        return Move("show", stored)
    # Keep the fingerprint first: once the key is gone, only it tells a wrong key apart.
    _keep_fingerprint(client, stored.encode())
    _compare_and_delete(client, stored)
    return Move("removed", None if configured else stored)


_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _compare_and_delete(client: redis.Redis, expected: str) -> None:
    client.eval(_DELETE_IF, 1, keys.HASH_KEY, expected)
