"""number_id: a keyed hash of a phone number, so keys and the opt-out list name nobody."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import redis

from hrw_sms import keys


def hash_key(client: redis.Redis, configured: str | None = None) -> bytes:
    """HRW_NUMBER_HASH_KEY if set, else a random key made once and kept in Redis.

    Call once at start-up and keep the result: it never changes."""
    if configured:
        return configured.encode()
    client.set(keys.HASH_KEY, secrets.token_hex(32), nx=True)
    value = client.get(keys.HASH_KEY)
    if value is None:
        raise RuntimeError("the number hash key vanished from Redis")
    return value


def number_id(key: bytes, e164: str) -> str:
    return hmac.new(key, e164.encode(), hashlib.sha256).hexdigest()[:32]
