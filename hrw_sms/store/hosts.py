"""Hosts: who hosts for which group, the roster, each occurrence's hosting record, the asks
a YES or NO answers, and the exercise. The only code that reads or writes the host keys.

An occurrence is named by its meeting and local date ("slug|YYYY-MM-DD"). Its hosting
record moves through the states in flows.host (assigned, confirmed, declined, uncovered,
covered). Every change to a record is a compare-and-set on its `version` under WATCH/MULTI:
of two changes made from the same version exactly one is applied, and the other is told it
came too late (False) and is replayed by its caller on the fresh record. That is what makes
the cover race safe: two hosts answering YES at the same moment, or one host's YES arriving
twice, give the meeting to exactly one host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import redis
from redis.client import Pipeline

from flows.host import (
    ASSIGNED,
    CONFIRMED,
    COVERED,
    DECLINED,
    MAX_EXERCISE,
    Actor,
    Ask,
    Event,
    HostView,
    next_state,
)
from flows.model import DAY_NAMES, Directory, Meeting, OccurrenceId
from flows.occurrences import Occurrence, meeting_day_to_weekday, occurrence_on, zone
from hrw_sms.store import keys
from hrw_sms.store.roles import Member, Role, text

ROLE = Role(keys.host_number, keys.host_groups, keys.group_hosts)
HOST_TTL = 60 * 24 * 60 * 60  # a host's asks and hosting lists, refreshed on every change
ASKS_LOOKED_AT = 3  # newest asks read when a host texts (older ones are long answered)

Operation = Callable[[Pipeline], object]


class HostError(ValueError):
    """A roster change that cannot be made; the message says why in one line."""


class NotAHost(HostError):
    """The number is not a host of the meeting's group."""

    def __init__(self, group: str) -> None:
        self.group = group
        super().__init__(f"that number is not a host of {group}")


class OccurrenceError(HostError):
    """A refusal about one occurrence (`meeting` slug, local `day`), so a caller can word it
    its own way (the console names the meeting); str() is the CLI's one line."""

    def __init__(self, message: str, meeting: str, day: date | None = None) -> None:
        self.meeting, self.day = meeting, day
        super().__init__(message)


class NoMeeting(OccurrenceError):
    """No meeting with that slug in the directory."""


class NotHostable(OccurrenceError):
    """The meeting has no group (so no hosts) or is temporarily closed."""


class NotMeetingDay(OccurrenceError):
    """The meeting does not meet on that weekday (`days`: the days it meets, 0 = Sunday)."""

    def __init__(self, message: str, meeting: str, day: date, days: tuple[int, ...]) -> None:
        self.days = days
        super().__init__(message, meeting, day)


class Cancelled(OccurrenceError):
    """That occurrence is cancelled (Directory.cancelled): nobody hosts a meeting that does
    not take place."""


class PastDay(OccurrenceError):
    """The date is before today in the meeting's time zone."""


class Started(OccurrenceError):
    """The occurrence has already started: its roster is settled."""


class NothingToClear(OccurrenceError):
    """Nobody is on the roster for that occurrence."""


class Changed(OccurrenceError):
    """The hosting record changed since the version the caller saw (a host answered, or
    another coordinator changed it): nothing was done."""


@dataclass(frozen=True)
class Hosting:
    """One occurrence's hosting record."""

    meeting: str
    day: date
    group: str
    start: datetime
    end: datetime
    host: str  # number_id assigned
    state: str
    version: int
    round: int = 0  # how many times a cover has been sought
    assignment: int = 1  # bumped by each (re)assignment: names its prompts
    sought: int = 0  # the round whose cover requests have gone out
    cover: str | None = None  # number_id covering
    prompted: str | None = None  # the assigned host, once first asked
    cover_left: bool = False  # uncovered because the cover left (not for want of an answer)

    @property
    def name(self) -> str:
        """The occurrence this record is for, as an OccurrenceId's text ('<slug>|<YYYY-MM-DD>')."""
        return str(OccurrenceId(self.meeting, self.day))

    @property
    def current(self) -> str | None:
        """Who hosts it now: the cover, else the assigned host unless they declined."""
        if self.state == COVERED:
            return self.cover
        return None if self.state == DECLINED else self.host


def _stamp(moment: datetime) -> float:
    return moment.timestamp()


def _parse(raw: dict) -> Hosting | None:
    data = {text(k): text(v) for k, v in raw.items()}
    try:
        return Hosting(
            meeting=data["meeting"],
            day=date.fromisoformat(data["day"]),
            group=data["group"],
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            host=data["host"],
            state=data["state"],
            version=int(data["version"]),
            round=int(data.get("round") or 0),
            assignment=int(data.get("assignment") or 1),
            sought=int(data.get("sought") or 0),
            cover=data.get("cover") or None,
            prompted=data.get("prompted") or None,
            cover_left=data.get("cover_left") == "1",
        )
    except (KeyError, ValueError):
        return None  # gone (expired, deleted) or half-written: no record


# --- who hosts for which group ---


def add_host(client: redis.Redis, nid: str, number: str, group: str) -> bool:
    """Make the number a host of the group; False if it already was."""
    return ROLE.add(client, nid, number, group)


def is_host(client: redis.Redis, nid: str, group: str) -> bool:
    """True when `nid` hosts for `group`."""
    return ROLE.has(client, nid, group)


def hosts_of(client: redis.Redis, group: str) -> list[str]:
    """The number ids of `group`'s hosts."""
    return ROLE.members(client, group)


def groups_of(client: redis.Redis, nid: str) -> list[str]:
    """The slugs of the groups `nid` hosts for, sorted."""
    return ROLE.groups_of(client, nid)


def number_of(client: redis.Redis, nid: str) -> str | None:
    """The E.164 number stored for host `nid`, or None."""
    return ROLE.number_of(client, nid)


def numbers(client: redis.Redis, nids: list[str]) -> dict[str, str]:
    """Number id to E.164 number for those of `nids` that have one stored."""
    return ROLE.numbers(client, nids)


def listing(client: redis.Redis, groups: list[str]) -> list[Member]:
    """The hosts of `groups`, as Member(group, number_id, E.164 number or None),
    by group then number id."""
    return ROLE.listing(client, groups)


def remove_host(client: redis.Redis, nid: str, group: str, now: datetime) -> int | None:
    """Stop the number hosting for the group, and hand back its coming occurrences there
    (an assignment is removed; a cover goes back to uncovered). None if it was not a host
    of the group, else how many occurrences it let go."""
    if not ROLE.has(client, nid, group):
        return None
    released = _release(client, nid, now, lambda rec: rec.group == group)
    ROLE.remove(client, nid, group)
    if not ROLE.groups_of(client, nid):
        client.delete(keys.host_asks(nid), keys.host_hosting(nid))
    return released


def forget(client: redis.Redis, nid: str, now: datetime) -> None:
    """FORGET: the number hosts nothing, is asked nothing, and is in no group's list."""
    _release(client, nid, now, lambda rec: True)
    ROLE.forget(client, nid)
    client.delete(keys.host_asks(nid), keys.host_hosting(nid))


def _release(
    client: redis.Redis, nid: str, now: datetime, matches: Callable[[Hosting], bool]
) -> int:
    names = {text(n) for n in client.zrange(keys.host_hosting(nid), 0, -1)}
    names |= {text(n) for n in client.zrange(keys.host_asks(nid), 0, -1)}
    released = 0
    for name in sorted(names):
        for _ in range(RELEASE_TRIES):  # each lost compare-and-set means another change landed
            rec = _read(client, name)
            if rec is None or not matches(rec):
                break
            client.srem(keys.hosting_asked(name), nid)
            client.zrem(keys.host_asks(nid), name)
            client.zrem(keys.host_hosting(nid), name)
            if rec.end <= now:
                break
            if rec.host == nid and rec.state != COVERED:
                done = _unassign(client, rec)
            elif rec.cover == nid and rec.state == COVERED:
                done = int(_change(client, rec, lambda r: _uncover(r)))
            else:
                break
            released += done
            if done:
                break
    return released


RELEASE_TRIES = 5


def _unassign(client: redis.Redis, rec: Hosting) -> int:
    """Drop an occurrence from the roster (its exercise goes with it) if the record is still
    at `rec.version`: 1 if dropped, 0 if it changed meanwhile (the caller reads it again)."""
    name = rec.name

    def drop(cur: Hosting) -> list[Operation]:
        return [
            lambda p: p.delete(keys.hosting(name), keys.hosting_asked(name), keys.exercise(name)),
            lambda p: p.zrem(keys.HOST_ROSTER, name),
        ]

    return int(_change(client, rec, drop, bump=False))


def _uncover(rec: Hosting) -> list[Operation] | None:
    """The covering host left: the record goes back to seeking a cover (flows.host decides)."""
    move = next_state(rec.state, Actor.ROSTER, Event.UNCOVER)
    if move is None:
        return None
    key = keys.hosting(rec.name)
    ops: list[Operation] = [
        lambda p: p.hset(key, mapping={"state": move.to, "cover_left": "1"}),
        lambda p: p.hdel(key, "cover"),
    ]
    if move.new_round:  # a new search for a cover (workers.hosts.escalate)
        ops.append(lambda p: p.hincrby(key, "round", 1))
    return ops


# --- the roster ---


def assign(
    client: redis.Redis, directory: Directory, meeting_slug: str, day: date, nid: str, now: datetime
) -> Hosting:
    """Put the number on the roster for the meeting on its local date `day`.

    Raises HostError when the meeting does not meet that day, that day is cancelled
    (Cancelled), the date is past or the meeting has started, or the number is not a host
    of the meeting's group."""
    meeting = _meeting(directory, meeting_slug)
    if not meeting.group:
        raise NotHostable(f"{meeting_slug} belongs to no group, so it has no hosts", meeting_slug)
    if not meeting.active:
        raise NotHostable(f"{meeting_slug} is temporarily closed", meeting_slug)
    if day.weekday() not in {meeting_day_to_weekday(d) for d in meeting.days}:
        days = ", ".join(DAY_NAMES[d % 7] for d in sorted(meeting.days))
        raise NotMeetingDay(
            f"{meeting_slug} does not meet on {day:%A} {day.isoformat()} (it meets {days})",
            meeting_slug, day, tuple(sorted(meeting.days)),
        )  # fmt: skip
    occ = _coming(meeting, day, now)
    if OccurrenceId(meeting_slug, day) in directory.cancelled:
        raise Cancelled(
            f"{meeting_slug} is cancelled on {day:%a} {day.isoformat()}, so it has no host "
            "to set: choose another date",
            meeting_slug, day,
        )  # fmt: skip
    if not ROLE.has(client, nid, meeting.group):
        raise NotAHost(meeting.group)
    name = str(OccurrenceId(meeting_slug, day))
    key = keys.hosting(name)
    with client.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(key)
                old = _parse(pipe.hgetall(key))
                if old is not None and old.host == nid and old.state in (ASSIGNED, CONFIRMED):
                    pipe.unwatch()
                    return old  # already theirs
                rec = Hosting(
                    meeting=meeting_slug,
                    day=day,
                    group=meeting.group,
                    start=occ.start,
                    end=occ.end,
                    host=nid,
                    state=ASSIGNED,
                    version=old.version + 1 if old else 1,
                    round=old.round if old else 0,
                    sought=old.sought if old else 0,
                    assignment=old.assignment + 1 if old else 1,
                )
                pipe.multi()
                if old is not None:
                    pipe.zrem(keys.host_hosting(old.host), name)
                    if old.cover:
                        pipe.zrem(keys.host_hosting(old.cover), name)
                pipe.delete(key)
                pipe.hset(key, mapping=_fields(rec))
                pipe.expire(key, _keep_for(rec, now))
                pipe.zadd(keys.HOST_ROSTER, {name: _stamp(rec.start)})
                _hosting_add(pipe, nid, rec)
                pipe.execute()
                return rec
            except redis.WatchError:
                continue  # changed meanwhile (an answer, another assign): look again


def _meeting(directory: Directory, meeting_slug: str) -> Meeting:
    meeting = directory.meetings.get(meeting_slug)
    if meeting is None:
        raise NoMeeting(f"no meeting {meeting_slug!r}", meeting_slug)
    return meeting


def _coming(meeting: Meeting, day: date, now: datetime) -> Occurrence:
    """The meeting's occurrence on `day`, refused when the date is past or it has started."""
    if day < now.astimezone(zone(meeting.timezone)).date():
        raise PastDay(f"{day.isoformat()} is past", meeting.slug, day)
    occ = occurrence_on(meeting, day)
    if occ.start <= now:
        raise Started(f"{meeting.slug} on {day.isoformat()} has already started", meeting.slug, day)
    return occ


def clear(
    client: redis.Redis,
    directory: Directory,
    meeting_slug: str,
    day: date,
    now: datetime,
    version: int | None = None,
) -> Hosting:
    """Clear the host of the meeting's occurrence on its local date `day`: the record leaves
    the roster (flows.host Event.CLEAR), so nobody hosts it, as before anyone was assigned,
    and nobody is asked to cover; its asks, cover requests and exercise go with it, and its
    planned prompts find no record and send nothing. Returns the record as it was when
    cleared (its `current`, `state` and `prompted` say whom to tell:
    flows.host.told_when_cleared).

    `version`: clear only if the record is still at that version (what the coordinator was
    shown); None: as it is now. A compare-and-set like every change here.

    Raises NoMeeting, PastDay, Started, NothingToClear (nobody on the roster that day) or
    Changed (the record moved on from `version`, or kept changing)."""
    meeting = _meeting(directory, meeting_slug)
    _coming(meeting, day, now)
    name = str(OccurrenceId(meeting_slug, day))
    for _ in range(RELEASE_TRIES):  # each lost compare-and-set means another change landed
        rec = _read(client, name)
        if rec is None:
            why = f"nobody is on the roster for {meeting_slug} on {day.isoformat()}"
            raise NothingToClear(why, meeting_slug, day)
        if version is not None and rec.version != version:
            break
        people = sorted({rec.host, *([rec.cover] if rec.cover else []), *asked(client, rec)})
        seen: list[Hosting] = []

        def drop(
            cur: Hosting, people: list[str] = people, seen: list[Hosting] = seen
        ) -> list[Operation]:
            seen.append(cur)  # the record as the write found it (`prompted` may be newer)
            ops: list[Operation] = [
                lambda p: p.delete(keys.hosting(name), keys.hosting_asked(name),
                                   keys.exercise(name)),
                lambda p: p.zrem(keys.HOST_ROSTER, name),
            ]  # fmt: skip
            for nid in people:  # nothing left for their YES, NO or EXERCISE to answer
                ops.append(lambda p, nid=nid: p.zrem(keys.host_hosting(nid), name))
                ops.append(lambda p, nid=nid: p.zrem(keys.host_asks(nid), name))
            return ops

        if _change(client, rec, drop, bump=False):
            return seen[-1]
    raise Changed(
        f"the roster for {meeting_slug} on {day.isoformat()} changed meanwhile; look again",
        meeting_slug, day,
    )  # fmt: skip


def _fields(rec: Hosting) -> dict[str, str | int]:
    return {
        "meeting": rec.meeting,
        "day": rec.day.isoformat(),
        "group": rec.group,
        "start": rec.start.astimezone(UTC).isoformat(),
        "end": rec.end.astimezone(UTC).isoformat(),
        "host": rec.host,
        "state": rec.state,
        "version": rec.version,
        "round": rec.round,
        "sought": rec.sought,
        "assignment": rec.assignment,
    }


def _seconds_until(moment: datetime, now: datetime) -> int:
    """A TTL for `moment`, measured from the service's clock, not Redis's, so that expiries
    agree with the clock every other decision uses."""
    return max(1, int((moment - now).total_seconds()))


def _keep_for(rec: Hosting, now: datetime) -> int:
    return _seconds_until(rec.end + timedelta(seconds=keys.HOSTING_KEEP), now)


def _hosting_add(pipe: Pipeline, nid: str, rec: Hosting) -> None:
    pipe.zadd(keys.host_hosting(nid), {rec.name: _stamp(rec.start)})
    pipe.expire(keys.host_hosting(nid), HOST_TTL)


def _read(client: redis.Redis, name: str) -> Hosting | None:
    return _parse(client.hgetall(keys.hosting(name)))


def hosting_of(client: redis.Redis, meeting: str, day: date) -> Hosting | None:
    """The hosting record of `meeting` on its local date `day`, or None
    when there is no record."""
    return _read(client, str(OccurrenceId(meeting, day)))


def roster(
    client: redis.Redis, since: datetime, until: datetime | None = None, group: str | None = None
) -> list[Hosting]:
    """Hosting records of occurrences starting from `since` (to `until`), soonest first."""
    high: float | str = _stamp(until) if until else "+inf"
    names = [text(n) for n in client.zrangebyscore(keys.HOST_ROSTER, _stamp(since), high)]
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.hosting(name))
    found, gone = [], []
    for name, raw in zip(names, pipe.execute(), strict=True):
        rec = _parse(raw)
        if rec is None:
            gone.append(name)
        elif group is None or rec.group == group:
            found.append(rec)
    if gone:
        client.zrem(keys.HOST_ROSTER, *gone)
    return found


def trim_roster(client: redis.Redis, now: datetime) -> None:
    """Forget roster entries whose records have expired."""
    client.zremrangebyscore(keys.HOST_ROSTER, "-inf", _stamp(now) - keys.HOSTING_KEEP - 86400)


# --- answers and the deadline: compare-and-set on the version ---


def _change(
    client: redis.Redis,
    rec: Hosting,
    plan: Callable[[Hosting], list[Operation] | None],
    version: int | None = None,
    *,
    bump: bool = True,
) -> bool:
    """Apply plan(current record) if the record is still at `version` (default: rec's).
    False when it changed meanwhile or the plan refuses (returns None).

    `bump=False` for writes that change no state a YES or NO answers (bookkeeping such as
    `prompted` and `sought`, and deleting the record): still checked against the version,
    but they leave it as it is (a delete must not recreate the key by counting it up)."""
    key = keys.hosting(rec.name)
    expected = rec.version if version is None else version
    with client.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(key)
            current = _parse(pipe.hgetall(key))
            if current is None or current.version != expected:
                pipe.unwatch()
                return False
            operations = plan(current)
            if operations is None:
                pipe.unwatch()
                return False
            pipe.multi()
            for operation in operations:
                operation(pipe)
            if bump:
                pipe.hincrby(key, "version", 1)
            pipe.execute()
        except redis.WatchError:
            return False  # someone else changed it between our read and our write
    return True


def answer(client: redis.Redis, nid: str, meeting: str, day: date, version: int, to: str) -> bool:
    """Apply a host's answer (to = confirmed, declined or covered) if the record is still at
    `version`; False if it is not (the caller replays the conversation on fresh state)."""
    rec = hosting_of(client, meeting, day)
    if rec is None:
        return False
    key = keys.hosting(rec.name)

    def plan(cur: Hosting) -> list[Operation] | None:
        # The move is flows.host.next_state's; this only writes it.
        actor = Actor.ASSIGNED_HOST if cur.host == nid else Actor.COVERING_HOST
        move = next_state(cur.state, actor, Event.NO if to == DECLINED else Event.YES)
        if move is None or move.to != to:
            return None
        ops: list[Operation] = []
        if move.to == CONFIRMED:
            ops += [lambda p: p.hset(key, "state", CONFIRMED), lambda p: _hosting_add(p, nid, cur)]
        elif move.to == DECLINED:
            ops += [
                lambda p: p.hset(key, "state", DECLINED),
                lambda p: p.zrem(keys.host_hosting(nid), cur.name),
            ]
        elif move.to == COVERED:
            ops += [
                lambda p: p.hset(key, mapping={"state": COVERED, "cover": nid}),
                lambda p: _hosting_add(p, nid, cur),
                lambda p: p.zrem(keys.host_hosting(cur.host), cur.name),
            ]
        if move.new_round:  # a new search for a cover
            ops.append(lambda p: p.hincrby(key, "round", 1))
        return ops

    return _change(client, rec, plan, version)


def time_out(client: redis.Redis, rec: Hosting) -> bool:
    """The deadline passed: an assignment never answered becomes uncovered (if `rec` is
    still current and unanswered)."""
    key = keys.hosting(rec.name)

    def plan(cur: Hosting) -> list[Operation] | None:
        move = next_state(cur.state, Actor.CLOCK, Event.DEADLINE)  # flows.host decides
        if move is None:
            return None
        ops: list[Operation] = [lambda p: p.hset(key, "state", move.to)]
        if move.new_round:
            ops.append(lambda p: p.hincrby(key, "round", 1))
        return ops

    return _change(client, rec, plan)


def mark_prompted(client: redis.Redis, rec: Hosting) -> bool:
    """The assigned host has had their first prompt (later ones ask again, not anew).
    False, writing nothing, when the record is no longer at `rec.version` (or is gone)."""
    key = keys.hosting(rec.name)
    return _change(
        client, rec, lambda cur: [lambda p: p.hset(key, "prompted", cur.host)], bump=False
    )


def mark_sought(client: redis.Redis, rec: Hosting) -> bool:
    """Cover requests for the record's current round have gone out. False, writing nothing,
    when the record is no longer at `rec.version` (the caller looks again)."""
    key = keys.hosting(rec.name)
    return _change(
        client, rec, lambda cur: [lambda p: p.hset(key, "sought", cur.round)], bump=False
    )


# --- asks: what a host's YES or NO answers ---


def ask(client: redis.Redis, nid: str, rec: Hosting, now: datetime) -> None:
    """Note that the number was just asked about the occurrence: its newest ask."""
    pipe = client.pipeline(transaction=True)
    pipe.zadd(keys.host_asks(nid), {rec.name: _stamp(now)})
    pipe.zremrangebyscore(keys.host_asks(nid), "-inf", _stamp(now) - HOST_TTL)
    pipe.expire(keys.host_asks(nid), HOST_TTL)
    if nid != rec.host:
        pipe.sadd(keys.hosting_asked(rec.name), nid)
        pipe.expire(keys.hosting_asked(rec.name), _keep_for(rec, now))
    pipe.execute()


def asked(client: redis.Redis, rec: Hosting) -> list[str]:
    """number_ids asked to cover the occurrence, sorted."""
    return sorted(text(n) for n in client.smembers(keys.hosting_asked(rec.name)))


# --- the exercise ---


def set_exercise(client: redis.Redis, meeting: str, day: date, words: str, now: datetime) -> bool:
    """Keep the host's exercise until the occurrence ends; False if there is no such record.

    This is the one message body HRW-SMS keeps: the host sent it on purpose to be read back
    in their last prompt, it describes the meeting rather than anyone in it, and it is
    deleted when the meeting is over."""
    rec = hosting_of(client, meeting, day)
    if rec is None or rec.end <= now:
        return False
    words = " ".join(words.split())[:MAX_EXERCISE]
    client.set(keys.exercise(rec.name), words, ex=_seconds_until(rec.end, now))
    return True


def exercise_of(client: redis.Redis, rec: Hosting) -> str | None:
    """The exercise the host texted for `rec`'s occurrence, or None (it expires when the
    occurrence ends)."""
    raw = client.get(keys.exercise(rec.name))
    return text(raw) if raw else None


# --- what the host flow is shown ---


def view(client: redis.Redis, nid: str, now: datetime, results: list) -> HostView | None:
    """The HostView from `results`: the number's host_groups members, its newest
    ASKS_LOOKED_AT host_asks, and its first host_hosting entry from `now` on. One more round
    trip only when there are asks (to read their records' state and version)."""
    groups, asks, upcoming = results
    current_ask = None
    if asks:
        pipe = client.pipeline(transaction=False)
        for name in asks:
            pipe.hgetall(keys.hosting(text(name)))
        for raw in pipe.execute():
            rec = _parse(raw)
            if rec is None or rec.start <= now:
                continue  # over, or gone from the roster: nothing to answer
            current_ask = Ask(
                meeting=rec.meeting,
                day=rec.day,
                cover=rec.host != nid,
                state=rec.state,
                version=rec.version,
                mine=rec.cover == nid,
            )
            break
    upcoming_one = OccurrenceId.parse(text(upcoming[0])) if upcoming else None
    if not groups and current_ask is None and upcoming_one is None:
        return None
    return HostView(tuple(sorted(text(g) for g in groups)), current_ask, upcoming_one)
