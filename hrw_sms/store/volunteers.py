"""Peer-line volunteers and their weekly shifts: the only code that reads or writes their keys.

A volunteer is a group role like hosts and coordinators (store/roles.py): number_ids in a
per-group set, the E.164 number in a per-number hash. Shifts are fields of a per-group hash
named by flows.peer.Shift.key(); removing a volunteer from a group removes their shifts there."""

from __future__ import annotations

import redis

from flows.peer import Shift
from hrw_sms.store import keys
from hrw_sms.store.roles import Member, Role, text

ROLE = Role(keys.volunteer_number, keys.volunteer_groups, keys.group_volunteers)


def add(client: redis.Redis, nid: str, number: str, group: str) -> bool:
    """Make the number a volunteer of the group; False if it already was."""
    return ROLE.add(client, nid, number, group)


def remove(client: redis.Redis, nid: str, group: str) -> bool:
    """Take the role (and the number's shifts in the group) away; False if it had none."""
    _drop_shifts(client, nid, group)
    return ROLE.remove(client, nid, group)


def is_volunteer(client: redis.Redis, nid: str, group: str | None = None) -> bool:
    """True when `nid` volunteers for `group`, or for any group when `group` is None."""
    if group is None:
        return bool(client.exists(keys.volunteer_groups(nid)))
    return ROLE.has(client, nid, group)


def groups_of(client: redis.Redis, nid: str) -> list[str]:
    """The slugs of the groups `nid` volunteers for, sorted."""
    return ROLE.groups_of(client, nid)


def number_of(client: redis.Redis, nid: str) -> str | None:
    """The E.164 number stored for volunteer `nid`, or None."""
    return ROLE.number_of(client, nid)


def numbers(client: redis.Redis, nids: list[str]) -> dict[str, str]:
    """number_id -> E.164 for those that are still volunteers."""
    return ROLE.numbers(client, nids)


def listing_ids(client: redis.Redis, group: str) -> list[str]:
    """The group's volunteers' number_ids."""
    return ROLE.members(client, group)


def listing(client: redis.Redis, groups: list[str]) -> list[Member]:
    """The volunteers of `groups`, as Member(group, number_id, E.164 number or None),
    by group then number id."""
    return ROLE.listing(client, groups)


def forget(client: redis.Redis, nid: str) -> list[str]:
    """FORGET: no role and no shift left anywhere; the groups it had."""
    for group in groups_of(client, nid):
        _drop_shifts(client, nid, group)
    return ROLE.forget(client, nid)


# --- shifts ---


class NotAVolunteer(ValueError):
    """A shift for a number that is not one of the group's volunteers."""

    def __init__(self, group: str) -> None:
        self.group = group
        super().__init__(f"that number is not a volunteer of {group}")


class ShiftClash(ValueError):
    """The shift shares time with another of the same volunteer's shifts in the group
    (`clash`). Refused, not merged: the coordinator decides which hours they meant."""

    def __init__(self, shift: Shift, clash: Shift) -> None:
        self.shift, self.clash = shift, clash
        super().__init__(f"{shift.describe()} overlaps that volunteer's shift {clash.describe()}")


def add_shift(client: redis.Redis, group: str, shift: Shift) -> bool:
    """Add a weekly shift for one of the group's volunteers; False if the same one was there.
    Raises NotAVolunteer, or ShiftClash when it overlaps another of theirs (checked and
    written under WATCH, so two overlapping adds at once cannot both land)."""
    key = keys.group_shifts(group)
    with client.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(key, keys.group_volunteers(group))
                if not pipe.sismember(keys.group_volunteers(group), shift.number_id):
                    raise NotAVolunteer(group)
                kept = [Shift.from_key(text(k)) for k in pipe.hkeys(key)]
                if shift in kept:
                    pipe.unwatch()
                    return False
                theirs = [s for s in kept if s.number_id == shift.number_id]
                clash = next((s for s in theirs if s.overlaps(shift)), None)
                if clash is not None:
                    raise ShiftClash(shift, clash)
                pipe.multi()
                pipe.hset(key, shift.key(), "1")
                pipe.execute()
                return True
            except redis.WatchError:
                continue  # a shift or the volunteer changed meanwhile: look again


def remove_shift(client: redis.Redis, group: str, shift: Shift) -> bool:
    """Remove `shift` from `group`'s weekly shifts; True if it was there."""
    return bool(client.hdel(keys.group_shifts(group), shift.key()))


def shifts(client: redis.Redis, group: str) -> list[Shift]:
    """The group's shifts, by number_id, day and start."""
    found = [Shift.from_key(text(k)) for k in client.hkeys(keys.group_shifts(group))]
    return sorted(found, key=lambda s: (s.number_id, s.day, s.start, s.end))


def _drop_shifts(client: redis.Redis, nid: str, group: str) -> None:
    mine = [s.key() for s in shifts(client, group) if s.number_id == nid]
    if mine:
        client.hdel(keys.group_shifts(group), *mine)
