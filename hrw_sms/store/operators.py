"""Operators: people who may sign in to the console for every group.

The only code that reads or writes keys.OPERATORS (number_id -> E.164);
`hrw-sms operator add/remove/list` is the command line over this."""

from __future__ import annotations

import redis

from hrw_sms.store import keys
from hrw_sms.store.roles import text


def add(client: redis.Redis, nid: str, number: str) -> bool:
    """Make the number an operator; False if it already was."""
    return bool(client.hset(keys.OPERATORS, nid, number))


def remove(client: redis.Redis, nid: str) -> bool:
    """False if the number was not an operator."""
    return bool(client.hdel(keys.OPERATORS, nid))


def is_operator(client: redis.Redis, nid: str) -> bool:
    """True when `nid` is an operator (may sign in to the console for every group)."""
    return bool(client.hexists(keys.OPERATORS, nid))


def listing(client: redis.Redis) -> list[str]:
    """Every operator's E.164 number, sorted."""
    return sorted(text(v) for v in client.hvals(keys.OPERATORS))
