"""A cancellation's fan-out: queued by hrw_sms.handlers.cancellations.cancel (one job, through
hrw_sms.jobs.fanout), it tells the occurrence's subscribers and its host from a worker, so the
/sms request that confirmed it never sends notices while it holds the conversation."""

from __future__ import annotations

from datetime import timedelta

from flows.model import OccurrenceId
from flows.occurrences import find
from flows.render_sms import cancellation_text
from hrw_sms.handlers.cancellations import audience
from hrw_sms.jobs.consent import for_meeting
from workers.hosts import tell_host_cancelled
from workers.reminders import notice_items, queue_batches
from workers.runtime import job_runtime

# A notice still unsent this long after the meeting began is dropped: it would only confuse.
NOTICE_EXPIRES = timedelta(minutes=1)


def send_notices(occurrence: str) -> str:
    """Queue the notices of one cancelled occurrence (`occurrence`: an OccurrenceId's text,
    `slug|YYYY-MM-DD`, the local date) in batches on the bulk queue, and its host's.

    Nothing is sent when the meeting left the directory (or no longer meets that day) or
    the occurrence was restored meanwhile. Safe to run again: each notice's id is the one
    the reminder job uses for a cancelled occurrence ("cancelled", its pinned name, number
    id), so nobody is told twice. Raises ValueError on a malformed `occurrence` (RQ records
    it as failed)."""
    rt = job_runtime()
    services = rt.services
    directory = services.directory.load()
    occ = find(directory, OccurrenceId.parse(occurrence))
    if occ is None or not occ.cancelled:
        return f"{occurrence}: not cancelled any more; nothing sent"
    meeting = occ.meeting
    nids = sorted(audience(services.redis, directory, meeting))
    items = notice_items(
        services.redis, nids, "cancelled", occ, cancellation_text, rt.clock(), "bulk",
        occ.start + NOTICE_EXPIRES, for_meeting(meeting.slug, meeting.group),
    )  # fmt: skip
    jobs = queue_batches(services.redis, "bulk", f"cancelled:{occ.ref}", items)
    host = tell_host_cancelled(services, meeting, occ)
    return f"{occurrence}: {len(items)} notices in {jobs} batches, {host} to the host"
