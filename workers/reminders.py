"""Participant reminders: each one fanned out to its subscribers at its time (planned ahead
by workers/reminder_plans.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import redis

from flows.model import OccurrenceId
from flows.occurrences import Occurrence, find
from flows.render_sms import cancellation_text, reminder_text
from hrw_sms.jobs import queues
from hrw_sms.jobs.consent import About
from hrw_sms.store import prefs, subscriptions
from workers.reminder_plans import FAN_OUT_EARLY
from workers.runtime import job_runtime

log = logging.getLogger(__name__)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def send_reminders(ref: str) -> str:
    """At reminder time: text each subscriber, or a cancellation if the meeting is off.
    `ref` is the occurrence's pinned name (OccurrenceId, `slug@YYYYMMDDTHHMMZ`): nothing is
    sent once the directory no longer has the meeting at that time."""
    rt = job_runtime()
    services = rt.services
    try:
        occ = find(services.directory.load(), OccurrenceId.parse(ref))
    except ValueError:
        occ = None
    if occ is None:
        return "no longer in the directory at that time: nothing sent"
    client = services.redis
    due = occ.start - timedelta(minutes=services.settings.reminder_minutes)
    now = max(rt.clock(), due)  # what the texts say ("today 6pm") is true when they go
    # Sorted, so a rerun after a crash makes the same batches (and RQ drops the copies).
    nids = sorted(subscriptions.meeting_subscribers(client, occ.meeting.slug))
    kind = "cancelled" if occ.cancelled else "remind"
    render = cancellation_text if occ.cancelled else reminder_text
    # The meeting's own subscribers: about the meeting, cancelled or not.
    about = ("meeting", occ.meeting.slug)
    items = notice_items(client, nids, kind, occ, render, now, "reminder", occ.start, about)
    hold = (due - rt.clock()).total_seconds()
    log.info("reminders for %s: %d texts ready, %.2f s before they are due", ref, len(items), hold)
    if hold > 0:  # released early on purpose (FAN_OUT_EARLY): the texts go at the due moment
        rt.sleep(min(hold, 2 * FAN_OUT_EARLY.total_seconds()))
    jobs = queue_batches(client, "reminder", f"{kind}:{ref}", items)
    return f"{kind}: {len(items)} of {len(nids)} queued in {jobs} batches"


def notice_items(
    client: redis.Redis,
    nids: list[str],
    kind: str,
    occ: Occurrence,
    render: Callable[[str, Occurrence, datetime], str],
    now: datetime,
    send_kind: str,
    expires: datetime,
    about: About,
) -> list[tuple]:
    """The `deliver` arguments of one text about `occ` to each number id in `nids` (in that
    order; erased or unsubscribed numbers are left out), each in its saved language.

    `kind` names the logical message ("remind", "cancelled"): a reminder job and a
    cancellation's fan-out give a cancelled occurrence the same id, so one notice each.
    `send_kind` picks the queue (hrw_sms.jobs.queues.QUEUE_FOR_KIND); `expires` (aware) is
    when a text still unsent is dropped; `about` is what each text is about, checked again at
    the moment of sending (hrw_sms.jobs.consent: a reminder is about its meeting, a
    cancellation's fan-out about its group's updates)."""
    pipe = client.pipeline(transaction=False)
    for nid in nids:
        subscriptions.ask_number_of(pipe, nid)
        prefs.ask_language(pipe, nid)
    answers = pipe.execute()
    bodies: dict[str, str] = {}
    items: list[tuple] = []
    for nid, number, language in zip(nids, answers[::2], answers[1::2], strict=True):
        if number is None:  # erased or unsubscribed meanwhile
            continue
        lang = prefs.decode(language) or "en"
        if lang not in bodies:
            bodies[lang] = render(lang, occ, now)
        items.append((
            queues.message_id(kind, str(occ.ref), nid), _text(number), bodies[lang], send_kind,
            occ.meeting.timezone, expires.isoformat(), about,
        ))  # fmt: skip
    return items


def queue_batches(client: redis.Redis, send_kind: str, name: str, items: list[tuple]) -> int:
    """Queue `items` as batch jobs of hrw_sms.jobs.queues.BATCH_SIZE texts; how many were new."""
    size = queues.BATCH_SIZE
    return sum(
        queues.enqueue_batch(client, send_kind, f"{name}:{start}", items[start : start + size])
        is not None
        for start in range(0, len(items), size)
    )
