"""Group roles (hosts, coordinators): who holds one for which group, and their numbers.

A role member is a number_id in a per-group set, with the groups it serves in a per-number
set and its E.164 number in a per-number hash (keys never name anybody)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import redis

KeyFor = Callable[[str], str]


def text(value: bytes | str) -> str:
    """`value` as str: Redis replies come back as bytes."""
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class Member:
    group: str
    number_id: str
    number: str | None  # None if the number hash is gone (should not happen)


@dataclass(frozen=True)
class Role:
    """One role's three keys: number hash, groups of a number, members of a group."""

    number_key: KeyFor  # number_id -> hash with field "number"
    groups_key: KeyFor  # number_id -> set of group slugs
    group_key: KeyFor  # group slug -> set of number_ids

    def add(self, client: redis.Redis, nid: str, number: str, group: str) -> bool:
        """Give the number the role in the group; False if it already had it."""
        pipe = client.pipeline(transaction=True)
        pipe.hset(self.number_key(nid), "number", number)
        pipe.sadd(self.groups_key(nid), group)
        pipe.sadd(self.group_key(group), nid)
        return bool(pipe.execute()[2])

    def remove(self, client: redis.Redis, nid: str, group: str) -> bool:
        """Take the role in the group away; the number is forgotten once it has no group."""
        pipe = client.pipeline(transaction=True)
        pipe.srem(self.group_key(group), nid)
        pipe.srem(self.groups_key(nid), group)
        pipe.exists(self.groups_key(nid))
        removed, _, still = pipe.execute()
        if not still:
            client.delete(self.number_key(nid))
        return bool(removed)

    def has(self, client: redis.Redis, nid: str, group: str) -> bool:
        """True when `nid` holds this role in `group`."""
        return bool(client.sismember(self.group_key(group), nid))

    def members(self, client: redis.Redis, group: str) -> list[str]:
        """The group's number_ids, sorted (so fan-outs go in a stable order)."""
        return sorted(text(n) for n in client.smembers(self.group_key(group)))

    def groups_of(self, client: redis.Redis, nid: str) -> list[str]:
        """The slugs of the groups where `nid` holds this role, sorted."""
        return sorted(text(g) for g in client.smembers(self.groups_key(nid)))

    def number_of(self, client: redis.Redis, nid: str) -> str | None:
        """The E.164 number stored for `nid` under this role, or None."""
        raw = client.hget(self.number_key(nid), "number")
        return text(raw) if raw else None

    def numbers(self, client: redis.Redis, nids: Iterable[str]) -> dict[str, str]:
        """number_id -> E.164 for those that have a number."""
        ordered = list(nids)
        pipe = client.pipeline(transaction=False)
        for nid in ordered:
            pipe.hget(self.number_key(nid), "number")
        return {nid: text(raw) for nid, raw in zip(ordered, pipe.execute(), strict=True) if raw}

    def listing(self, client: redis.Redis, groups: Iterable[str]) -> list[Member]:
        """Every member of the given groups, by group then number_id."""
        found = []
        for group in sorted(set(groups)):
            nids = self.members(client, group)
            numbers = self.numbers(client, nids)
            found += [Member(group, nid, numbers.get(nid)) for nid in nids]
        return found

    def forget(self, client: redis.Redis, nid: str) -> list[str]:
        """Take every group's role away from the number; the groups it had."""
        groups = self.groups_of(client, nid)
        pipe = client.pipeline(transaction=True)
        for group in groups:
            pipe.srem(self.group_key(group), nid)
        pipe.delete(self.groups_key(nid), self.number_key(nid))
        pipe.execute()
        return groups
