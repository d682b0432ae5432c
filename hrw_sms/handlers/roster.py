"""Clearing the host of a coming occurrence: the one path the console's Roster and
`hrw-sms host clear` share. The record leaves the roster (store.hosts.clear), the change is
audited, and whoever had it is told when flows.host.told_when_cleared says so: a job
(workers.hosts.cleared, named by string so the web layer never imports workers/) texts
them that they need not host it, after quiet hours, unless it is theirs again by then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows.host import told_when_cleared
from flows.occurrences import occurrence_on
from hrw_sms.base.phone import mask
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.jobs.scheduling import schedule_once
from hrw_sms.store import audit, hosts

CLEARED_NOTICE = "workers.hosts.cleared"


@dataclass(frozen=True)
class Cleared:
    """What clearing did: the record as it was, who hosted it (E.164, None when nobody did:
    they had declined), and whether they are being told."""

    record: hosts.Hosting
    host: str | None
    told: bool


def who_is_told(services: Services, rec: hosts.Hosting) -> str | None:
    """The E.164 number that clearing `rec` would text (flows.host.told_when_cleared), or
    None when nobody would be told."""
    current = rec.current
    if current is None or not told_when_cleared(rec.state, rec.prompted == rec.host):
        return None
    return hosts.number_of(services.redis, current)


def clear_host(
    services: Services,
    meeting_slug: str,
    day: date,
    *,
    version: int | None = None,
    actor: str | None,
    channel: str,
) -> Cleared:
    """Clear the host of `meeting_slug` on its local date `day` (only if its record is still
    at `version`, when given), audit it as `actor` (None: the CLI) on `channel`, and queue
    the notice to whoever had it when they must be told. Raises store.hosts.HostError
    (NoMeeting, PastDay, Started, NothingToClear, Changed) and changes nothing then."""
    client, now = services.redis, services.clock()
    directory = services.directory.load()
    rec = hosts.clear(client, directory, meeting_slug, day, now, version)
    current = rec.current
    number = hosts.number_of(client, current) if current else None
    told = who_is_told(services, rec) is not None
    if told and current:
        meeting = directory.meetings[meeting_slug]  # clear() found it
        schedule_once(
            client, f"host:cleared:{rec.name}:a{rec.assignment}", queues.REPLIES, now,
            CLEARED_NOTICE, meeting_slug, day.isoformat(), current, rec.assignment,
            keep_until=occurrence_on(meeting, day).end,
        )  # fmt: skip
    detail = f"{meeting_slug} {day.isoformat()}" + (f" {mask(number)}" if number else "")
    audit.record(client, now, actor=actor, channel=channel, action="clear host",
                 group=rec.group, detail=detail, recipients=int(told))  # fmt: skip
    return Cleared(rec, number, told)
