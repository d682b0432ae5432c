"""Planning participant reminders: one fan-out job per coming occurrence with subscribers,
scheduled ahead with deterministic names (planning twice schedules nothing twice). Pure
scheduling on Services, no job runtime, so the wiring (workers/wiring.py) can call it from
the request that added a REMIND. The fan-out job is workers.reminders.send_reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from flows.occurrences import occurrences_between
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.jobs.scheduling import schedule_once
from hrw_sms.store import keys, subscriptions


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


GRACE = timedelta(minutes=5)  # a reminder this late is still worth planning
PLAN_AHEAD = timedelta(hours=26)  # beyond the lead: the planner runs every minute
# The fan-out is released this much before the reminder is due and holds the batches until
# the due moment: RQ keeps scheduled times in whole seconds and polls once a second, so a
# job scheduled for the due moment itself would leave 0-1 s late, before any text is read.
FAN_OUT_EARLY = timedelta(seconds=2)


def plan_meeting(services: Services, slug: str, now: datetime | None = None) -> int:
    """Schedule the reminders of one meeting's coming occurrences; how many are new."""
    now = now or services.clock()
    directory = services.directory.load()
    meeting = directory.meetings.get(slug)
    if meeting is None:
        subscriptions.drop_meetings(services.redis, [slug])  # removed from the directory
        return 0
    lead = timedelta(minutes=services.settings.reminder_minutes)
    new = 0
    for occ in occurrences_between(meeting, now + lead - GRACE, now + lead + PLAN_AHEAD):
        at = max(occ.start - lead - FAN_OUT_EARLY, now)
        new += schedule_once(
            services.redis, f"remind:{occ.ref}", queues.REMINDERS, at,
            "workers.reminders.send_reminders", str(occ.ref), keep_until=occ.end,
        )  # fmt: skip
    return new


def plan_all(services: Services, now: datetime | None = None) -> int:
    """plan_meeting for every meeting someone is reminded of; how many are new."""
    slugs = sorted(_text(s) for s in services.redis.smembers(keys.SUBSCRIBED_MEETINGS))
    return sum(plan_meeting(services, slug, now) for slug in slugs)
