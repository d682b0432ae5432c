"""The send job: one logical text through the outbound path, rescheduled when it must wait."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from workers import queues
from workers.outbound import RetryableSendError, send_text, skip_text
from workers.runtime import current

log = logging.getLogger(__name__)


def deliver(
    message_id: str,
    to: str,
    body: str,
    kind: str,
    timezone: str | None = None,
    expires: str | None = None,
) -> str:
    """Send now, or put the text back on the schedule for when it may go."""
    rt = current()
    deps = rt.deps()
    deadline = datetime.fromisoformat(expires) if expires else None
    if deadline is not None and rt.clock() >= deadline:
        return str(skip_text(deps, message_id, to, "too late", kind))  # type: ignore[arg-type]
    try:
        outcome = send_text(deps, message_id, to, body, kind, timezone)  # type: ignore[arg-type]
    except RetryableSendError as exc:
        at = rt.clock() + timedelta(seconds=exc.backoff)
        queues.enqueue_text(
            rt.redis, message_id, to, body, kind,
            timezone=timezone, at=at, expires=deadline, tag=f"r{at.timestamp():.3f}",
        )  # fmt: skip
        return f"retrying in {exc.backoff:.0f} s: {exc.reason}"
    if outcome.status == "deferred" and outcome.until is not None:
        if deadline is not None and outcome.until >= deadline:
            return str(skip_text(deps, message_id, to, "quiet hours until after it", kind))  # type: ignore[arg-type]
        queues.enqueue_text(
            rt.redis, message_id, to, body, kind,
            timezone=timezone, at=outcome.until, expires=deadline,
            tag=f"q{outcome.until.timestamp():.0f}",
        )  # fmt: skip
    return str(outcome)
