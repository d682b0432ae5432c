"""Planning a rostered occurrence's hosting jobs (prompts, deadline, escalation, thanks):
pure scheduling on Services, no job runtime, so the wiring (workers/wiring.py) can call it
from the web request that changed the roster. The jobs themselves are in workers/hosts.py,
whose docstring tells the life of one rostered occurrence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flows.host import CONFIRMED, COVERED, OPEN
from flows.model import OccurrenceId
from flows.occurrences import Occurrence, find
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.jobs.scheduling import schedule_once
from hrw_sms.store import hosts
from hrw_sms.store.hosts import Hosting
from workers.outbound import held_until

PLAN_AHEAD = timedelta(days=1)  # beyond the longest lead: the planner runs every minute


def prompt_times(
    leads: tuple[timedelta, ...],
    start: datetime,
    now: datetime,
    allowed: Callable[[datetime], datetime] = lambda at: at,
) -> list[tuple[int, datetime]]:
    """(lead index, when) of the prompts to plan: every lead still to come, and the latest
    one already passed, at once (so a late assignment still gets its question); each moved
    to `allowed(when)` (quiet hours). A prompt moved to or past the next one's time is left
    to that one: one text, which still asks for YES or NO if nobody has answered."""
    due = [(i, start - lead) for i, lead in enumerate(leads)]
    passed = [(i, now) for i, at in due if at < now]
    planned = [(i, allowed(at)) for i, at in passed[-1:] + [(i, at) for i, at in due if at >= now]]
    later = [at for _, at in planned[1:]] + [start]  # each prompt's successor (or the start)
    return [(i, at) for (i, at), after in zip(planned, later, strict=True) if at < after]


def allowed_at(services: Services, occ: Occurrence, at: datetime) -> datetime:
    """When a host text meant for `at` may go: `at`, or the end of the quiet hours it falls
    in (in the meeting's time zone), unless the meeting starts by then (then `at`)."""
    until = held_until(at, occ.meeting.timezone, services.settings.quiet_hours, occ.start)
    return at if until is None else until


def deadline_for(first: datetime, start: datetime) -> datetime:
    """Halfway between the first prompt and the start."""
    return first + (start - first) / 2


def plan_occurrence(
    services: Services, meeting: str, day: date, now: datetime | None = None
) -> int:
    """Schedule what the occurrence's hosting needs now; how many jobs are new. Idempotent:
    called on assignment, after every answer, and by the minute tick."""
    now = now or services.clock()
    rec = hosts.hosting_of(services.redis, meeting, day)
    if rec is None:
        return 0
    occ = find(services.directory.load(), OccurrenceId(meeting, day))
    if occ is None or occ.cancelled or occ.start <= now:
        return 0
    client, name, ref = services.redis, rec.name, str(occ.ref)
    args = (meeting, day.isoformat())
    new = 0
    allowed = lambda at: allowed_at(services, occ, at)  # noqa: E731
    times = prompt_times(services.settings.host_reminders, occ.start, now, allowed)
    for index, at in times:
        new += schedule_once(
            client, f"host:prompt:{ref}:a{rec.assignment}:{index}", queues.REPLIES, at,
            "workers.hosts.prompt", *args, index, rec.assignment, ref, keep_until=occ.end,
        )  # fmt: skip
    if times:
        at = deadline_for(times[0][1], occ.start)
        new += schedule_once(
            client, f"host:deadline:{ref}:a{rec.assignment}", queues.REPLIES, at,
            "workers.hosts.deadline", *args, rec.assignment, ref, keep_until=occ.end,
        )  # fmt: skip
    if rec.state in OPEN and rec.round > rec.sought:
        new += schedule_once(
            client, f"host:escalate:{name}:{rec.round}", queues.REPLIES, allowed(now),
            "workers.hosts.escalate", *args, rec.round, keep_until=occ.end,
        )  # fmt: skip
    if settled_after_search(rec):
        new += schedule_once(
            client, f"host:announce:{name}:{rec.round}:{rec.version}", queues.REPLIES, allowed(now),
            "workers.hosts.announce", *args, rec.round, keep_until=occ.end,
        )  # fmt: skip
    return new


def settled_after_search(rec: Hosting) -> bool:
    """Someone hosts after a cover was sought for this round (so the others must be told)."""
    return rec.round > 0 and rec.sought == rec.round and rec.state in (CONFIRMED, COVERED)


def plan_hosts(services: Services, now: datetime | None = None) -> int:
    """The planner's part for hosts: every rostered occurrence in the coming days."""
    now = now or services.clock()
    hosts.trim_roster(services.redis, now)
    until = now + services.settings.host_reminders[0] + PLAN_AHEAD
    found = hosts.roster(services.redis, now, until)
    return sum(plan_occurrence(services, r.meeting, r.day, now) for r in found)
