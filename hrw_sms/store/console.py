"""Console sign-in codes and sessions, kept server-side in Redis.

A code is kept only as a keyed hash (of number_id and code), lives CONSOLE_CODE_TTL,
and is deleted when used (no replay). CONSOLE_MAX_TRIES wrong codes lock the number for
CONSOLE_LOCK_TTL. A session is a random token in an HttpOnly cookie; Redis keeps only a
hash of it, so a key listing (or a dump) cannot be replayed as a cookie."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import redis

from hrw_sms.store import keys
from hrw_sms.store.identity import number_id as keyed_hash
from hrw_sms.store.roles import text


def new_code() -> str:
    """Six random digits (leading zeros kept)."""
    return f"{secrets.randbelow(1_000_000):06d}"


def _digest(secret: bytes, nid: str, code: str) -> str:
    # The number hash key's keyed hash (one owner of keyed hashing): a dump of Redis does
    # not give the code away, not even by trying all million.
    return keyed_hash(secret, f"console-code:{nid}:{code}")


def keep_code(client: redis.Redis, secret: bytes, nid: str, code: str) -> None:
    """Remember the code for the number (a newer code replaces an older one)."""
    client.set(keys.console_code(nid), _digest(secret, nid, code), ex=keys.CONSOLE_CODE_TTL)


def locked(client: redis.Redis, nid: str) -> bool:
    """True while `nid` is locked out of the console after too many wrong codes."""
    return bool(client.exists(keys.console_lock(nid)))


def check_code(client: redis.Redis, secret: bytes, nid: str, code: str) -> bool:
    """True (and the code is used up) when `code` is the number's live code. A wrong one
    counts a try; the CONSOLE_MAX_TRIES-th locks the number and drops its code."""
    if locked(client, nid):
        return False
    kept = client.get(keys.console_code(nid))
    given = code.strip()
    if kept and given.isdigit() and secrets.compare_digest(text(kept), _digest(secret, nid, given)):
        # GETDEL-like: only the request that deletes it signs in (two at once: one wins).
        if client.delete(keys.console_code(nid)):
            client.delete(keys.console_tries(nid))
            return True
        return False
    pipe = client.pipeline(transaction=True)
    pipe.incr(keys.console_tries(nid))
    pipe.expire(keys.console_tries(nid), keys.CONSOLE_LOCK_TTL, nx=True)
    tries = int(pipe.execute()[0])
    if tries >= keys.CONSOLE_MAX_TRIES:
        pipe = client.pipeline(transaction=True)
        pipe.set(keys.console_lock(nid), "1", ex=keys.CONSOLE_LOCK_TTL)
        pipe.delete(keys.console_code(nid), keys.console_tries(nid))
        pipe.execute()
    return False


@dataclass(frozen=True)
class Session:
    token_id: str
    nid: str
    number: str  # E.164 (shown masked only)


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(client: redis.Redis, nid: str, number: str, now: datetime) -> str:
    """A new session for the number; the token to put in the cookie."""
    token = secrets.token_urlsafe(32)
    tid = _token_id(token)
    pipe = client.pipeline(transaction=True)
    pipe.hset(keys.console_session(tid), mapping={"nid": nid, "number": number,
                                                  "created": now.isoformat()})  # fmt: skip
    pipe.expire(keys.console_session(tid), keys.CONSOLE_SESSION_TTL)
    pipe.sadd(keys.console_sessions_of(nid), tid)
    pipe.expire(keys.console_sessions_of(nid), keys.CONSOLE_SESSION_TTL)
    pipe.execute()
    return token


def session_of(client: redis.Redis, token: str | None) -> Session | None:
    """The live session a cookie names (its idle time restarts), or None."""
    if not token or len(token) > 100:
        return None
    tid = _token_id(token)
    raw = client.hgetall(keys.console_session(tid))
    if not raw or b"nid" not in raw:
        return None
    client.expire(keys.console_session(tid), keys.CONSOLE_SESSION_TTL)
    return Session(tid, text(raw[b"nid"]), text(raw[b"number"]))


def end_session(client: redis.Redis, session: Session) -> None:
    """Forget a console session (signing out): its key and its place in the number's set."""
    pipe = client.pipeline(transaction=True)
    pipe.delete(keys.console_session(session.token_id))
    pipe.srem(keys.console_sessions_of(session.nid), session.token_id)
    pipe.execute()


def end_sessions_of(client: redis.Redis, nid: str) -> int:
    """End every console session of the number at once; how many there were."""
    tids = [text(t) for t in client.smembers(keys.console_sessions_of(nid))]
    pipe = client.pipeline(transaction=True)
    for tid in tids:
        pipe.delete(keys.console_session(tid))
    pipe.delete(keys.console_sessions_of(nid))
    pipe.execute()
    return len(tids)
