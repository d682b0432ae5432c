"""Coordinators: who keeps each group's meetings, hosts and announcements up to date.

The only code that reads or writes the coordinator keys. Numbers are stored in E.164 under
their number_id; `hrw-sms coordinator add/remove/list` is the command line over this."""

from __future__ import annotations

import redis

from hrw_sms.store import keys
from hrw_sms.store.roles import Member, Role

ROLE = Role(keys.coordinator_number, keys.coordinator_groups, keys.group_coordinators)


def add(client: redis.Redis, nid: str, number: str, group: str) -> bool:
    """Make the number a coordinator of the group; False if it already was."""
    return ROLE.add(client, nid, number, group)


def remove(client: redis.Redis, nid: str, group: str) -> bool:
    """False if the number did not coordinate the group."""
    return ROLE.remove(client, nid, group)


def of_group(client: redis.Redis, group: str) -> dict[str, str]:
    """The group's coordinators: number_id -> E.164."""
    return ROLE.numbers(client, ROLE.members(client, group))


def groups_of(client: redis.Redis, nid: str) -> list[str]:
    """The slugs of the groups `nid` coordinates, sorted."""
    return ROLE.groups_of(client, nid)


def listing(client: redis.Redis, groups: list[str]) -> list[Member]:
    """The coordinators of `groups`, as Member(group, number_id, E.164 number or None),
    by group then number id."""
    return ROLE.listing(client, groups)


def forget(client: redis.Redis, nid: str) -> None:
    """FORGET: the number coordinates nothing any more."""
    ROLE.forget(client, nid)
