"""The send jobs: one logical text, or a batch of them, through the outbound path; a text
that must wait is rescheduled alone."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from hrw_sms.jobs import queues
from hrw_sms.jobs.consent import About, Consent, resolve
from workers.outbound import RetryableSendError, send_text, skip_text
from workers.runtime import Runtime, job_runtime

log = logging.getLogger(__name__)

# A batch that has run this long checks, between texts, whether more urgent texts wait: a
# batch held back by the send rate must not keep a person's reply waiting behind it. It asks
# Redis at most every MAKE_WAY_CHECK, so a batch going at full speed pays almost nothing.
MAKE_WAY_AFTER = timedelta(seconds=1)
MAKE_WAY_CHECK = timedelta(seconds=0.2)


class WayMaker:
    """Tells a long batch on `queue_name` when to stop and make way for more urgent texts."""

    def __init__(self, rt: Runtime, queue_name: str) -> None:
        self.rt, self.queue_name = rt, queue_name
        self.next_check = rt.clock() + MAKE_WAY_AFTER

    def should_stop(self, handled: int) -> bool:
        """True when the batch, having handled `handled` texts (at least one) and run
        MAKE_WAY_AFTER, finds texts waiting on a queue served before its own."""
        if not handled:  # at least one text per run, whatever waits
            return False
        now = self.rt.clock()
        if now < self.next_check:
            return False
        self.next_check = now + MAKE_WAY_CHECK
        return queues.higher_priority_waiting(self.rt.redis, self.queue_name)


def deliver(
    message_id: str,
    to: str,
    body: str,
    kind: str,
    timezone: str | None = None,
    expires: str | None = None,
    about: About | None = None,
) -> str:
    """Send now, or put the text back on the schedule for when it may go.

    `about` (hrw_sms.jobs.consent.About) is what the text is about: it goes only while the number
    still wants it, checked right before the request to Twilio."""
    rt = job_runtime()
    consent = resolve(about, rt.services.directory.load)
    return deliver_checked(rt, message_id, to, body, kind, timezone, expires, about, consent)


def deliver_checked(
    rt: Runtime,
    message_id: str,
    to: str,
    body: str,
    kind: str,
    timezone: str | None,
    expires: str | None,
    about: About | None,
    consent: Consent | None,
    slot: tuple[str, int] | None = None,
) -> str:
    """deliver on `rt`, with `about` already resolved (a batch resolves it once for all its
    texts); `slot` is a broadcast recipient's place in its list (see workers.outbound.Checks)."""
    deps = rt.deps()
    deadline = datetime.fromisoformat(expires) if expires else None
    if deadline is not None and rt.clock() >= deadline:
        return str(skip_text(deps, message_id, to, "too late", kind))  # type: ignore[arg-type]
    try:
        outcome = send_text(deps, message_id, to, body, kind, timezone, consent, slot, deadline)  # type: ignore[arg-type]
    except RetryableSendError as exc:
        at = rt.clock() + timedelta(seconds=exc.backoff)
        queues.enqueue_text(
            rt.redis, message_id, to, body, kind,
            timezone=timezone, at=at, expires=deadline, tag=f"r{at.timestamp():.3f}", about=about,
        )  # fmt: skip
        return f"retrying in {exc.backoff:.0f} s: {exc.reason}"
    if outcome.status == "deferred" and outcome.until is not None:
        if deadline is not None and outcome.until >= deadline:
            return str(skip_text(deps, message_id, to, "quiet hours until after it", kind))  # type: ignore[arg-type]
        queues.enqueue_text(
            rt.redis, message_id, to, body, kind,
            timezone=timezone, at=outcome.until, expires=deadline,
            tag=f"q{outcome.until.timestamp():.0f}", about=about,
        )  # fmt: skip
    return str(outcome)


def deliver_batch(name: str, items: list[tuple], first: int = 0) -> str:
    """Deliver each text of a batch (`first` counts those an earlier part already handled).

    Safe to run again after a crash: every text has its own idempotency key. If it has run
    a while and replies or host prompts are queued, the rest goes back on its queue."""
    rt = job_runtime()
    kind = items[0][3] if items else "reminder"
    way = WayMaker(rt, queues.QUEUE_FOR_KIND[kind])
    resolved: dict[About | None, Consent | None] = {}  # the texts of a batch share a subject
    for i, item in enumerate(items):
        if way.should_stop(i):
            queues.enqueue_batch(rt.redis, kind, name, items[i:], first + i)
            return f"{name}: {i} handled, {len(items) - i} put back behind urgent texts"
        message_id, to, body, kind_, timezone, expires, *rest = item
        about = tuple(rest[0]) if rest and rest[0] else None
        if about not in resolved:
            resolved[about] = resolve(about, rt.services.directory.load)  # type: ignore[arg-type]
        deliver_checked(rt, message_id, to, body, kind_, timezone, expires, about, resolved[about])  # type: ignore[arg-type]
    return f"{name}: {len(items)} handled"
