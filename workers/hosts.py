"""Hosting prompts: planned from the roster; each job re-checks the current state at run time.

The life of one rostered occurrence (leads from HRW_HOST_REMINDERS, longest first):

- A prompt at each lead still to come when the occurrence is planned; when the host was
  put on the roster late, the latest lead already passed becomes one prompt at once.
  The first prompt asks the assigned host for YES or NO. Later prompts remind whoever hosts
  now (and ask again while it is unconfirmed); the last carries the exercise, or invites
  EXERCISE <text>.
- The deadline is halfway between the first prompt and the start (with 48h,2h: a day
  before). Half the time is left for the host to answer and half for a cover to be found,
  whatever the leads are. No answer by then makes the occurrence "uncovered".
- Declined (NO) or uncovered: the group's coordinators are told, and the group's other
  hosts are asked to cover (escalate). The first YES takes it (hrw_sms.store.hosts.answer); then
  the others asked are told it is covered and the coordinators who covers (announce).
- Quiet hours (HRW_QUIET_HOURS, local to the meeting's group) hold every one of these texts
  like a reminder: what would go at night goes when quiet hours end, unless the meeting
  starts before then, when it goes at once (a question after the start helps nobody). The
  jobs themselves are planned for that moment, so they read the roster as it is then and
  the deadline leaves the host the same half of the time to answer.

Every job reads the hosting record and the directory when it runs: a confirmed host is not
asked to confirm, a removed or cancelled meeting sends nothing, a reassigned occurrence
prompts only its new host. Message ids are deterministic, so no text goes twice.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime

from flows.host import CONFIRMED, COVERED, OPEN
from flows.model import Directory, Meeting, OccurrenceId
from flows.occurrences import Occurrence, find
from flows.render_sms import host_prompt_text, host_text
from hrw_sms.base.phone import mask
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.jobs.consent import About
from hrw_sms.store import coordinators, hosts, prefs
from hrw_sms.store.hosts import Hosting
from workers.host_plans import allowed_at, plan_occurrence, settled_after_search
from workers.runtime import job_runtime

log = logging.getLogger(__name__)

# --- the jobs ---


def _language(services: Services, nid: str, directory: Directory, occ: Occurrence) -> str:
    """The number's own choice, else the group's language."""
    saved = prefs.language(services.redis, nid)
    if saved:
        return saved
    group = directory.group_of(occ.meeting)
    return group.language if group else "en"


def _load(
    services: Services, meeting: str, day: str, now: datetime
) -> tuple[Hosting | None, Occurrence | None, str]:
    """The record and the current occurrence (`day`: its local date, ISO), or a reason to
    send nothing."""
    name = OccurrenceId.of(meeting, day)
    rec = hosts.hosting_of(services.redis, meeting, name.day)  # type: ignore[arg-type]
    if rec is None:
        return None, None, "not on the roster any more"
    occ = find(services.directory.load(), name)
    if occ is None:
        return None, None, "the meeting no longer meets that day"
    if occ.cancelled:
        return None, None, "cancelled"
    if occ.start <= now:
        return None, None, "already started"
    return rec, occ, ""


def _send(
    services: Services,
    message_id: str,
    number: str | None,
    body: str,
    occ: Occurrence,
    about: About,
    at: datetime,
) -> bool:
    """Queue one host or coordinator text to go at `at` (from allowed_at: after quiet hours),
    with a body written for that moment (its "today" or "tomorrow" is the day it arrives).
    `about` is the role it is sent for, checked again when it goes: a number that said
    FORGET, or lost the role, gets nothing."""
    if number is None:
        return False
    now = services.clock()
    job = queues.enqueue_text(
        services.redis, message_id, number, body, "host",
        # The zone travels with the text, as a reminder's does, for the sending path.
        timezone=occ.meeting.timezone, at=at if at > now else None, expires=occ.start,
        about=about,
    )  # fmt: skip
    return job is not None


def prompt(meeting: str, day: str, index: int, assignment: int, ref: str = "") -> str:
    """A prompt before the meeting, to whoever hosts it now. `day` is the occurrence's local
    date (ISO); `ref` its pinned name when planned (OccurrenceId, `slug@YYYYMMDDTHHMMZ`):
    nothing is sent once the meeting moved. Raises ValueError on a malformed `day` or `ref`."""
    rt = job_runtime()
    services, now = rt.services, rt.clock()
    rec, occ, why = _load(services, meeting, day, now)
    if rec is None or occ is None:
        return f"nothing sent: {why}"
    if rec.assignment != assignment:
        return "nothing sent: someone else is on the roster now"
    if ref and OccurrenceId.parse(ref) != occ.ref:
        return "nothing sent: the meeting moved (planned again for its new time)"
    to = rec.current
    if to is None:
        return "nothing sent: declined, no cover yet"
    leads = services.settings.host_reminders
    last = index >= len(leads) - 1
    if rec.state == COVERED:
        key = "host_reminder_cover"
    elif rec.state == CONFIRMED:
        key = "host_reminder"
    elif rec.prompted != rec.host:
        key = "host_ask"
    else:
        key = "host_ask_again"
    directory = services.directory.load()
    language = _language(services, to, directory, occ)
    exercise = hosts.exercise_of(services.redis, rec) if last else None
    when = allowed_at(services, occ, now)  # planned outside quiet hours: normally `now`
    body = host_prompt_text(language, occ, when, key, last, exercise)
    hosts.ask(services.redis, to, rec, now)  # a YES or NO now answers this occurrence
    number = hosts.number_of(services.redis, to)
    mid = queues.message_id("host", "prompt", str(occ.ref), str(index), to)
    sent = _send(services, mid, number, body, occ, ("host", rec.group), when)
    # After queueing: a retry after a crash re-queues the same text. A record changed
    # meanwhile is not marked (its next prompt asks anew, which is true to it).
    if key == "host_ask" and not hosts.mark_prompted(services.redis, rec):
        log.info("%s changed while its prompt was queued; not marked prompted", rec.name)
    return f"{key} to {mask(number)}: {'queued' if sent else 'already queued or no number'}"


def deadline(meeting: str, day: str, assignment: int, ref: str = "") -> str:
    """No answer from the assigned host by now: seek a cover (`day`, `ref` as for prompt)."""
    rt = job_runtime()
    services, now = rt.services, rt.clock()
    rec, occ, why = _load(services, meeting, day, now)
    if rec is None or occ is None:
        return f"nothing to do: {why}"
    if ref and OccurrenceId.parse(ref) != occ.ref:
        return "nothing to do: the meeting moved (planned again for its new time)"
    if rec.assignment != assignment or not hosts.time_out(services.redis, rec):
        return f"nothing to do: {rec.state}"
    plan_occurrence(services, meeting, rec.day, now)
    return "no answer: seeking a cover"


def escalate(meeting: str, day: str, round_: int) -> str:
    """Tell the coordinators, and ask the group's other hosts to cover."""
    rt = job_runtime()
    services, now = rt.services, rt.clock()
    client = services.redis
    for _ in range(hosts.RELEASE_TRIES):  # marked at the version read, or read again
        rec, occ, why = _load(services, meeting, day, now)
        if rec is None or occ is None:
            return f"nothing sent: {why}"
        if rec.state not in OPEN or rec.round != round_:
            return f"nothing sent: {rec.state} (round {rec.round})"
        if hosts.mark_sought(client, rec):
            break
    else:
        return "nothing sent: the record kept changing; its next change plans again"
    directory = services.directory.load()
    others = [nid for nid in hosts.hosts_of(client, rec.group) if nid != rec.host]
    numbers = hosts.numbers(client, others)
    when = allowed_at(services, occ, now)
    asked = 0
    for nid in others:
        language = _language(services, nid, directory, occ)
        body = host_text(language, "host_cover_ask", occ, when)
        hosts.ask(client, nid, rec, now)
        mid = queues.message_id("host", "cover", rec.name, str(round_), nid)
        asked += _send(services, mid, numbers.get(nid), body, occ, ("host", rec.group), when)
    if rec.state == "uncovered":
        key = "coord_cover_left" if rec.cover_left else "coord_host_no_answer"
    else:
        key = "coord_host_declined"
    then = "coord_asking_others" if numbers else "coord_no_other_hosts"
    who = mask(hosts.number_of(client, rec.host))
    told = _tell_coordinators(services, rec, occ, when, key, who, then, "cover-sought")
    return f"{rec.state}: {asked} hosts asked, {told} coordinators told"


def announce(meeting: str, day: str, round_: int) -> str:
    """Someone hosts now: thank the others asked, and tell the coordinators who."""
    rt = job_runtime()
    services, now = rt.services, rt.clock()
    rec, occ, why = _load(services, meeting, day, now)
    if rec is None or occ is None:
        return f"nothing sent: {why}"
    if rec.round != round_ or not settled_after_search(rec):
        return f"nothing sent: {rec.state} (round {rec.round})"
    client = services.redis
    who = rec.current or rec.host
    directory = services.directory.load()
    others = [nid for nid in hosts.asked(client, rec) if nid != who]
    numbers = hosts.numbers(client, others)
    when = allowed_at(services, occ, now)
    thanked = 0
    for nid in others:
        body = host_text(_language(services, nid, directory, occ), "host_covered_notice", occ, when)
        mid = queues.message_id("host", "covered", rec.name, str(round_), nid)
        thanked += _send(services, mid, numbers.get(nid), body, occ, ("host", rec.group), when)
    key = "coord_host_covered" if rec.state == COVERED else "coord_host_back"
    masked = mask(hosts.number_of(client, who))
    # Per host, as before, but never the host's number_id itself in another number's message
    # id (it would outlive that host's FORGET): a short digest of it.
    what = "hosted-by-" + hashlib.sha256(who.encode()).hexdigest()[:12]
    told = _tell_coordinators(services, rec, occ, when, key, masked, None, what)
    return f"{rec.state}: {thanked} hosts thanked, {told} coordinators told"


def _tell_coordinators(
    services: Services,
    rec: Hosting,
    occ: Occurrence,
    when: datetime,
    key: str,
    who: str,
    then: str | None,
    what: str,
) -> int:
    directory = services.directory.load()
    told = 0
    for nid, number in sorted(coordinators.of_group(services.redis, rec.group).items()):
        language = _language(services, nid, directory, occ)
        body = host_text(language, key, occ, when, then, host=who)
        mid = queues.message_id("host", "coord", what, rec.name, str(rec.round), nid)
        told += _send(services, mid, number, body, occ, ("coordinator", rec.group), when)
    return told


def tell_host_cancelled(services: Services, meeting: Meeting, occ: Occurrence) -> int:
    """A coordinator cancelled the occurrence: tell whoever hosts it (0 or 1 texts queued)."""
    rec = hosts.hosting_of(services.redis, meeting.slug, occ.local_date)
    if rec is None or rec.current is None:
        return 0
    now = services.clock()
    to = rec.current
    language = _language(services, to, services.directory.load(), occ)
    when = allowed_at(services, occ, now)
    body = host_text(language, "host_cancelled_notice", occ, when)
    mid = queues.message_id("host", "cancelled", rec.name, to)
    number = hosts.number_of(services.redis, to)
    return int(_send(services, mid, number, body, occ, ("host", rec.group), when))


def cleared(meeting: str, day: str, nid: str, assignment: int) -> str:
    """A coordinator cleared this host from the occurrence (hrw_sms.handlers.roster): tell
    them there is no need to host it, after quiet hours, unless by then it is theirs again,
    it is cancelled (that has its own notice), or it has started."""
    rt = job_runtime()
    services, now = rt.services, rt.clock()
    local_day = date.fromisoformat(day)
    directory = services.directory.load()
    occ = find(directory, OccurrenceId(meeting, local_day))
    if occ is None:
        return "nothing sent: the meeting no longer meets that day"
    if occ.cancelled or occ.start <= now:
        return "nothing sent: cancelled" if occ.cancelled else "nothing sent: already started"
    rec = hosts.hosting_of(services.redis, meeting, local_day)
    if rec is not None and rec.current == nid:
        return "nothing sent: on the roster for it again"
    when = allowed_at(services, occ, now)
    body = host_text(_language(services, nid, directory, occ), "host_cleared_notice", occ, when)
    number = hosts.number_of(services.redis, nid)
    mid = queues.message_id("host", "cleared", str(occ.ref), str(assignment), nid)
    group = occ.meeting.group or ""
    sent = _send(services, mid, number, body, occ, ("host", group), when)
    return f"host_cleared_notice to {mask(number)}: {'queued' if sent else 'no number'}"
