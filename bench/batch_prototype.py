"""A prototype for the benchmark only, not used by the product: RQ jobs that each send a batch
of texts, each text through the product's own deliver job body (workers.deliver.deliver: the
outbound path with its idempotency key, opt-out check and rate limiter; a text that must wait
is rescheduled alone, exactly as today). It measures how much of a text's cost is RQ's per-job
bookkeeping, for the design change proposed in the README (Benchmarks, issue 3)."""

from __future__ import annotations

from flows.render_sms import cancellation_text, reminder_text
from hrw_sms import keys, subscriptions
from workers import queues
from workers.deliver import deliver
from workers.reminders import _current_occurrence
from workers.runtime import current

BATCH = 50


def deliver_many(items: list[tuple]) -> str:
    outcomes = [deliver(*item) for item in items]
    return f"{len(outcomes)} texts"


def send_reminders_batched(ref: str) -> str:
    """workers.reminders.send_reminders, but queuing one job per BATCH subscribers, with the
    per-subscriber reads pipelined."""
    rt = current()
    client = rt.services.redis
    occ = _current_occurrence(rt.services, ref)
    if occ is None:
        return "nothing"
    now = rt.clock()
    nids = sorted(subscriptions.meeting_subscribers(client, occ.meeting.slug))
    pipe = client.pipeline(transaction=False)
    for nid in nids:
        pipe.hget(keys.subscriber(nid), "number")
        pipe.hget(keys.prefs(nid), "language")
    answers = pipe.execute()
    kind = "cancelled" if occ.cancelled else "remind"
    render = cancellation_text if occ.cancelled else reminder_text
    bodies: dict[str, str] = {}
    items = []
    for i, nid in enumerate(nids):
        number, language = answers[2 * i], answers[2 * i + 1]
        if number is None:
            continue
        language = language.decode() if language else "en"
        if language not in bodies:
            bodies[language] = render(language, occ, now)
        message_id = queues.message_id(kind, ref, nid)
        items.append(
            (message_id, number.decode(), bodies[language], "reminder", occ.meeting.timezone,
             occ.start.isoformat())
        )  # fmt: skip
    q = queues.queue(client, queues.REMINDERS)
    for start in range(0, len(items), BATCH):
        q.enqueue(
            "batch_prototype.deliver_many", items[start : start + BATCH],
            job_id=queues.job_id("batch", f"{ref}:{start}"), job_timeout=600, result_ttl=0,
        )  # fmt: skip
    return f"{len(items)} in {(len(items) + BATCH - 1) // BATCH} jobs"
