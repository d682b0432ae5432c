"""One-time confirm tokens for the broadcast preview's Send button.

The preview carries a random token; Redis keeps its hash (keys.console_confirm) with the
group and a digest of the exact text for CONSOLE_CONFIRM_TTL seconds. Send claims it with
one atomic SET ... XX GET, so two Sends of the same preview (a double click, a resubmitted
form, a second tab) send once: the other finds "sending" or "sent <id>"."""

from __future__ import annotations

import hashlib
import secrets

import redis

from hrw_sms.store import keys

STALE = ("This preview was already used or is more than 15 minutes old, so nothing was "
         "sent. Check the text below and press Send again.")  # fmt: skip
BUSY = "This broadcast is being sent from another tab or click; nothing more was sent."


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _key(token: str) -> str:
    return keys.console_confirm(hashlib.sha256(token.encode()).hexdigest())


def issue(client: redis.Redis, group: str, text: str) -> str:
    """A fresh token (43 URL-safe characters) for a preview of `text` to `group`."""
    token = secrets.token_urlsafe(32)
    client.set(_key(token), f"pending {group} {_digest(text)}", ex=keys.CONSOLE_CONFIRM_TTL)
    return token


def claim(client: redis.Redis, token: str, group: str, text: str) -> int | str | None:
    """None: the caller owns this Send and must send, then call `sent`. An int: the id of
    the broadcast this preview already started (nothing to send). A str: why nothing may be
    sent (unknown, expired, busy, or the text or group differ from the preview)."""
    if not token or len(token) > 100:
        return STALE
    before = client.set(_key(token), "sending", xx=True, get=True, keepttl=True)
    found = before.decode() if isinstance(before, bytes) else before
    if found is None:
        return STALE
    if found.startswith("sent "):
        client.set(_key(token), found, xx=True, keepttl=True)  # put back what we overwrote
        return int(found.split()[1])
    if found == "sending":
        return BUSY
    if found != f"pending {group} {_digest(text)}":
        client.set(_key(token), found, xx=True, keepttl=True)
        return STALE
    return None


def sent(client: redis.Redis, token: str, broadcast_id: int) -> None:
    """Record that this preview's Send started `broadcast_id` (a repeat then shows it)."""
    client.set(_key(token), f"sent {broadcast_id}", xx=True, keepttl=True)
