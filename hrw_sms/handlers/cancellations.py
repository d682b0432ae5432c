"""Cancel one occurrence of a meeting: mark it, tell the group's subscribers (and the
host, when one is assigned), and audit it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import redis

from flows.coordinator import CancelRefusal, cancellable
from flows.model import Directory, Meeting
from flows.occurrences import Occurrence
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import fanout
from hrw_sms.store import audit, hosts, subscriptions


class Refused(ValueError):
    """A cancellation that cannot be made, with the reason."""


class AlreadyCancelled(Refused):
    """Someone cancelled that occurrence first (another coordinator, or the CLI)."""


@dataclass(frozen=True)
class Plan:
    meeting: Meeting
    occurrence: Occurrence
    recipients: int


_REASONS = {
    CancelRefusal.NOT_A_MEETING_DAY: "{slug} does not meet on {day:%A} {day}",
    CancelRefusal.OVER: "{slug} on {day} is already over",
    CancelRefusal.NONE_COMING: "{slug} has no coming occurrence",
    CancelRefusal.ALREADY: "{slug} on {day} is already cancelled",
}


def plan(services: Services, slug: str, day: date | None = None) -> Plan:
    """Which occurrence would be cancelled (`day`: its local date; None: the next one) and how
    many subscribers would be told. The rules are `flows.coordinator.cancellable`'s.

    Raises Refused (with the reason, for the CLI's one line) when it cannot be cancelled."""
    now = services.clock()
    directory = services.directory.load()
    meeting = directory.meetings.get(slug)
    if meeting is None:
        raise Refused(f"no meeting {slug!r}")
    check = cancellable(meeting, day, now, directory)
    if check.refusal is not None or check.occurrence is None:
        reason = check.refusal or CancelRefusal.NONE_COMING
        shown = check.occurrence.local_date if check.occurrence else day
        kind = AlreadyCancelled if reason is CancelRefusal.ALREADY else Refused
        raise kind(_REASONS[reason].format(slug=slug, day=shown))
    count = len(audience(services.redis, directory, meeting))
    return Plan(meeting, check.occurrence, count)


def audience(client: redis.Redis, directory: Directory, meeting: Meeting) -> set[str]:
    """Number ids told of a cancellation: the group's subscribers (the meeting's own when it
    has no group)."""
    if meeting.group:
        return subscriptions.group_subscribers(client, directory, meeting.group)
    return subscriptions.meeting_subscribers(client, meeting.slug)


def cancel(services: Services, chosen: Plan, *, actor: str | None, channel: str) -> int:
    """Mark the occurrence cancelled, audit it, and queue one job that tells its subscribers
    and its host from a worker (`workers.cancellations.send_notices`): nothing fans out
    inside a webhook. Returns how many will be told (subscribers, plus the host if one is
    assigned).

    Raises AlreadyCancelled when someone else marked it between `plan` and now (the
    directory's compare-and-set decides): their notices went out; none go twice."""
    client = services.redis
    meeting, occ = chosen.meeting, chosen.occurrence
    if not services.directory.set_cancelled(meeting.slug, occ.local_date, True):
        raise AlreadyCancelled(f"{meeting.slug} on {occ.local_date} is already cancelled")
    record = hosts.hosting_of(client, meeting.slug, occ.local_date)
    told = chosen.recipients + int(record is not None and record.current is not None)
    audit.record(
        client, services.clock(), actor=actor, channel=channel, action="cancel",
        group=meeting.group or "", detail=f"{meeting.slug} {occ.local_date.isoformat()}",
        recipients=told,
    )  # fmt: skip
    fanout.queue_cancellation(client, occ.id)
    return told


def parse_day(raw: str | None) -> date | None:
    """The CLI's DATE argument (YYYY-MM-DD, a local date); None when absent. Raises Refused."""
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused(f"DATE must be YYYY-MM-DD, got {raw!r}") from None
