"""Cancel one occurrence of a meeting: mark it, tell the group's subscribers (and the
host, when one is assigned), and audit it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flows.model import Meeting
from flows.occurrences import Occurrence, meeting_day_to_weekday, next_occurrence, occurrence_on
from flows.render_sms import cancellation_text
from hrw_sms.handlers.services import Services
from hrw_sms.store import audit, prefs, subscriptions


class Refused(ValueError):
    """A cancellation that cannot be made, with the reason."""


@dataclass(frozen=True)
class Plan:
    meeting: Meeting
    occurrence: Occurrence
    recipients: int


def plan(services: Services, slug: str, day: date | None = None) -> Plan:
    """Which occurrence would be cancelled and how many would be told."""
    now = services.clock()
    directory = services.directory.load()
    meeting = directory.meetings.get(slug)
    if meeting is None:
        raise Refused(f"no meeting {slug!r}")
    if day is None:
        occ = next_occurrence(meeting, now, directory)
        if occ is None:
            raise Refused(f"{slug} has no coming occurrence")
    else:
        if day.weekday() not in {meeting_day_to_weekday(d) for d in meeting.days}:
            raise Refused(f"{slug} does not meet on {day:%A} {day.isoformat()}")
        occ = occurrence_on(meeting, day, (slug, day) in directory.cancelled)
        if occ.end <= now:
            raise Refused(f"{slug} on {day.isoformat()} is already over")
    if occ.cancelled:
        raise Refused(f"{slug} on {occ.local_date.isoformat()} is already cancelled")
    count = (
        len(subscriptions.group_subscribers(services.redis, directory, meeting.group))
        if meeting.group
        else len(subscriptions.meeting_subscribers(services.redis, slug))
    )
    return Plan(meeting, occ, count)


def cancel(services: Services, chosen: Plan, *, actor: str | None, channel: str) -> int:
    """Mark the occurrence cancelled and queue the notices; how many were queued."""
    from hrw_sms.jobs.consent import for_meeting
    from hrw_sms.jobs.queues import enqueue_text, message_id

    client = services.redis
    meeting, occ = chosen.meeting, chosen.occurrence
    services.directory.set_cancelled(meeting.slug, occ.local_date, True)
    directory = services.directory.load()
    nids = (
        subscriptions.group_subscribers(client, directory, meeting.group)
        if meeting.group
        else subscriptions.meeting_subscribers(client, meeting.slug)
    )
    now = services.clock()
    queued = 0
    for nid in sorted(nids):
        number = subscriptions.number_of(client, nid)
        if number is None:
            continue
        body = cancellation_text(prefs.language(client, nid) or "en", occ, now)
        # The same id the reminder job uses for a cancelled occurrence: one notice each.
        mid = message_id("cancelled", occ.ref, nid)
        if enqueue_text(client, mid, number, body, "bulk", timezone=meeting.timezone,
                        expires=occ.start + timedelta(minutes=1),
                        about=for_meeting(meeting.slug, meeting.group)):  # fmt: skip
            queued += 1
    queued += services.tell_host_of_cancellation(meeting, occ)
    audit.record(
        client, now, actor=actor, channel=channel, action="cancel", group=meeting.group or "",
        detail=f"{meeting.slug} {occ.local_date.isoformat()}", recipients=queued,
    )  # fmt: skip
    return queued


def parse_day(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused(f"DATE must be YYYY-MM-DD, got {raw!r}") from None
