"""The peer line's asks and conversations: the only code that reads or writes their keys.

A TALK makes a relay record (keys.peer_relay) named by a 4-digit code, in state "asked";
the first volunteer's TAKE moves it to "live" atomically (a Lua compare-and-set on the
state, with a version counter, so two TAKEs at the same instant: exactly one wins); DONE,
STOP, an hour of silence or the volunteer's removal moves it to "over" once. The record
holds both numbers (to relay between them) and times, never a text; it expires on its own."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import redis

from hrw_sms.store import keys, optouts
from hrw_sms.store.roles import text

ASKED, LIVE, OVER = "asked", "live", "over"

_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
-- one open ask or conversation per person: two TALKs at the same instant open one
local open = redis.call('GET', KEYS[2])
if open then
  local state = redis.call('HGET', ARGV[7] .. open, 'state')
  if state == 'asked' or state == 'live' then return -1 end
end
redis.call('HSET', KEYS[1], 'state', 'asked', 'person', ARGV[1], 'person_id', ARGV[2],
           'asked', ARGV[3], 'last', ARGV[3], 'version', 1, 'language', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[4])
return 1
"""
# KEYS: relay, volunteer's held set. ARGV: volunteer, volunteer_id, now, ttl, relay_id.
_TAKE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'asked' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'live', 'volunteer', ARGV[1], 'volunteer_id', ARGV[2],
           'taken', ARGV[3], 'last', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""
# KEYS: relay. ARGV: now, ttl. Returns the state it had ("" when it was over or gone). An
# ended record keeps no number: only its state and times, for a little while.
_END = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'asked' and state ~= 'live' then return '' end
redis.call('HSET', KEYS[1], 'state', 'over', 'ended', ARGV[1])
redis.call('HDEL', KEYS[1], 'person', 'volunteer')
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return state
"""
ENDED_TTL = 10 * 60  # seconds an ended record stays (a late DONE finds it over)


@dataclass(frozen=True)
class Relay:
    relay_id: str  # the 4-digit code volunteers see
    state: str
    person: str
    person_id: str
    volunteer: str | None
    volunteer_id: str | None
    asked: int  # epoch seconds
    taken: int | None
    last: int
    version: int
    language: str  # the person's: what they are told in


def _relay(relay_id: str, raw: dict) -> Relay | None:
    if not raw:
        return None
    got = {text(k): text(v) for k, v in raw.items()}
    return Relay(
        relay_id, got["state"], got.get("person", ""), got["person_id"], got.get("volunteer"),
        got.get("volunteer_id"), int(got["asked"]),
        int(got["taken"]) if got.get("taken") else None, int(got["last"]), int(got["version"]),
        got.get("language", "en"),
    )  # fmt: skip


def get(client: redis.Redis, relay_id: str) -> Relay | None:
    """The peer relay `relay_id`, or None when it has expired or never was."""
    return _relay(relay_id, client.hgetall(keys.peer_relay(relay_id)))


def create(
    client: redis.Redis, person: str, person_id: str, now: int, language: str = "en"
) -> Relay | None:
    """A new ask from the person, under a fresh code; the person's open relay points at it.
    None when the person already has an ask or a conversation open (checked in the same
    script, so two TALKs at the same instant open one)."""
    while True:  # 9000 codes; an hour's conversations take a handful of them
        relay_id = str(1000 + secrets.randbelow(9000))
        made = int(
            client.eval(
                _CREATE, 2, keys.peer_relay(relay_id), keys.peer_person(person_id),
                person, person_id, now, keys.PEER_RELAY_TTL, relay_id, language,
                keys.peer_relay(""),
            )
        )  # fmt: skip
        if made < 0:
            return None
        if made:
            found = get(client, relay_id)
            assert found is not None
            return found


def offered(client: redis.Redis, relay_id: str, volunteer_ids: list[str]) -> None:
    """Remember who was asked, so their bare TAKE finds this ask."""
    pipe = client.pipeline(transaction=False)
    for vid in volunteer_ids:
        pipe.sadd(keys.peer_held(vid), relay_id)
        pipe.expire(keys.peer_held(vid), keys.PEER_RELAY_TTL)
    pipe.execute()


def take(client: redis.Redis, relay_id: str, volunteer: str, volunteer_id: str, now: int) -> bool:
    """True for the one TAKE that connects; False when it was taken (or over) already."""
    keys_ = [keys.peer_relay(relay_id), keys.peer_held(volunteer_id)]
    args = [volunteer, volunteer_id, now, keys.PEER_RELAY_TTL, relay_id]
    return bool(int(client.eval(_TAKE, 2, *keys_, *args)))


def touch(client: redis.Redis, relay: Relay, now: int) -> None:
    """A text went through: the conversation is alive for another while."""
    pipe = client.pipeline(transaction=False)
    pipe.hset(keys.peer_relay(relay.relay_id), "last", now)
    for key in (keys.peer_relay(relay.relay_id), keys.peer_person(relay.person_id)):
        pipe.expire(key, keys.PEER_RELAY_TTL)
    if relay.volunteer_id:
        pipe.expire(keys.peer_held(relay.volunteer_id), keys.PEER_RELAY_TTL)
    pipe.execute()


def end(client: redis.Redis, relay: Relay, now: int) -> str:
    """End it once: the state it had ("asked"/"live"), or "" if someone ended it first."""
    before = text(client.eval(_END, 1, keys.peer_relay(relay.relay_id), now, ENDED_TTL))
    if before:
        pipe = client.pipeline(transaction=False)
        pipe.delete(keys.peer_person(relay.person_id))
        if relay.volunteer_id:
            pipe.srem(keys.peer_held(relay.volunteer_id), relay.relay_id)
        pipe.execute()
    return before


def lookup(client: redis.Redis, nid: str) -> tuple[bool, Relay | None, list[Relay]]:
    """What a text from `nid` needs, in one round trip for most numbers: whether it opted
    out, its own open ask or conversation, and what it was offered or holds as a volunteer."""
    pipe = client.pipeline(transaction=False)
    optouts.ask_if_opted_out(pipe, nid)
    pipe.get(keys.peer_person(nid))
    pipe.scard(keys.peer_held(nid))
    opted_out, mine, held = pipe.execute()
    if opted_out:
        return True, None, []
    own = of_person(client, nid) if mine is not None else None
    return False, own, held_by(client, nid) if held else []


def of_person(client: redis.Redis, person_id: str) -> Relay | None:
    """The person's open ask or conversation."""
    relay_id = client.get(keys.peer_person(person_id))
    if relay_id is None:
        return None
    found = get(client, text(relay_id))
    return found if found and found.state != OVER else None


def held_by(client: redis.Redis, volunteer_id: str) -> list[Relay]:
    """The asks a volunteer was offered and the conversations they hold, still open."""
    ids = sorted(text(r) for r in client.smembers(keys.peer_held(volunteer_id)))
    found = [get(client, r) for r in ids]
    open_ = [r for r in found if r is not None and r.state != OVER]
    gone = set(ids) - {r.relay_id for r in open_}
    if gone:
        client.srem(keys.peer_held(volunteer_id), *gone)
    return open_


def fresh_token() -> str:
    """A new random relay token: 16 hex digits."""
    return secrets.token_hex(8)


def forget(client: redis.Redis, nid: str, now: int) -> None:
    """FORGET: the number's open ask ends (a live conversation relays FORGET as a text, so
    none is open here) and it is offered nothing more."""
    mine = of_person(client, nid)
    if mine is not None:
        end(client, mine, now)
    client.delete(keys.peer_person(nid), keys.peer_held(nid))


def claim_call(client: redis.Redis, call_sid: str, volunteer_id: str) -> bool:
    """True for the first volunteer who presses 1 for the ringing call `call_sid`."""
    return bool(client.set(keys.peer_call(call_sid), volunteer_id, nx=True, ex=keys.PEER_CALL_TTL))
