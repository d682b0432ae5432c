"""FORGET: erase everything kept about a number, except the opt-out that keeps STOP honoured.

What is kept about a number, and where (hrw_sms/store/keys.py names every key):
- keyed by its number_id: session, prefs, lock, subscriptions (address and meeting list),
  host and coordinator roles and asks, the invalid-number flag, the busy flag, and the list
  of its outbound records (keys.per_number_keys);
- its number_id as a member or value elsewhere: meetings' subscriber sets, groups' host and
  coordinator sets, hosting records (host, cover, prompted) and cover-ask sets, broadcast
  recipient snapshots, outbound records (their keys name it through the message_id), claims,
  sid maps (whose value is a message_id);
- its number itself: queued and scheduled RQ send jobs (their arguments), which are deleted;
- its number in the demo's outbox (the demo's stand-in for Twilio's message log);
- its masked form: audit entries of the broadcasts and cancellations it sent, whose actor
  becomes "erased".
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from hrw_sms.base.phone import mask
from hrw_sms.jobs.queues import ORDER
from hrw_sms.store import coordinators, hosts, keys, optouts, relays, subscriptions, volunteers
from hrw_sms.store.roles import text

log = logging.getLogger(__name__)

ERASED_ACTOR = "erased"
_JOB_CHUNK = 500  # jobs fetched per round trip when looking for the number's pending texts
_SEND_FUNCS = ("workers.deliver.deliver", "workers.deliver.deliver_batch")


def erase(client: redis.Redis, number: str, nid: str, now: datetime) -> dict[str, int]:
    """Erase the number everywhere but the opt-out set; counts of what went, by kind."""
    subscriptions.unsubscribe(client, nid)
    hosts.forget(client, nid, now)  # their roster places and asks (a cover is sought anew)
    coordinators.forget(client, nid)
    volunteers.forget(client, nid)  # the peer line: role, shifts, an open ask
    relays.forget(client, nid, int(now.timestamp()))
    optouts.wait_for_sends(client, nid)  # a text handed to Twilio this instant goes first
    erased = {
        "broadcast slots": _erase_from_broadcasts(client, nid),
        "outbound records": _erase_outbound(client, nid),
        "hosting records": _erase_from_hosting(client, nid, now),
        "queued texts": _erase_jobs(client, number),
        "audit entries": _anonymise_audit(client, mask(number)),
        "demo outbox": _erase_demo_outbox(client, number),
    }
    client.delete(*keys.per_number_keys(nid))
    return erased


def _erase_from_broadcasts(client: redis.Redis, nid: str) -> int:
    """Overwrite the number's slot in every live broadcast's recipient list (positions stay:
    batches are ranges of the list; progress counts an erased slot as skipped)."""
    last = int(client.get(keys.BROADCAST_SEQ) or 0)
    erased = 0
    for broadcast_id in range(last, 0, -1):
        if not client.exists(keys.broadcast(broadcast_id)):
            break  # broadcasts expire oldest first: the older ones are gone too
        listed = keys.broadcast_recipients(broadcast_id)
        for index in client.lpos(listed, nid, count=0) or []:
            client.lset(listed, index, keys.ERASED)
            erased += 1
    return erased


def _erase_outbound(client: redis.Redis, nid: str) -> int:
    """Every outbound record kept for the number, its claim and its sid map."""
    ids = sorted(text(m) for m in client.smembers(keys.outbound_of(nid)))
    if not ids:
        return 0
    pipe = client.pipeline(transaction=False)
    for message_id in ids:
        pipe.hget(keys.outbound(message_id), "sid")
    sids = pipe.execute()
    pipe = client.pipeline(transaction=True)
    for message_id, sid in zip(ids, sids, strict=True):
        pipe.delete(keys.outbound(message_id), keys.outbound_claim(message_id))
        if sid:
            pipe.delete(keys.outbound_sid(text(sid)))
    pipe.execute()
    return len(ids)


def _erase_from_hosting(client: redis.Redis, nid: str, now: datetime) -> int:
    """Hosting records that still name the number after hosts.forget (ended occurrences, and
    a `prompted` left by an earlier assignment), and the cover-ask sets."""
    names = [text(n) for n in client.zrange(keys.HOST_ROSTER, 0, -1)]
    if not names:
        return 0
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.hosting(name))
        pipe.srem(keys.hosting_asked(name), nid)
    answers = pipe.execute()
    changed = 0
    for name, raw in zip(names, answers[::2], strict=True):
        record = {text(k): text(v) for k, v in raw.items()}
        fields = [f for f, v in record.items() if v == nid]
        if not fields:
            continue
        changed += 1
        ended = record.get("end", "") and datetime.fromisoformat(record["end"]) <= now
        if ended or "host" in fields:
            client.delete(keys.hosting(name), keys.hosting_asked(name), keys.exercise(name))
        else:
            client.hdel(keys.hosting(name), *fields)
    return changed + sum(int(n) for n in answers[1::2])


def _erase_jobs(client: redis.Redis, number: str) -> int:
    """Delete queued, scheduled and failed send jobs addressed to the number (their arguments
    hold it and the text), and take it out of the batches that hold it among others."""
    erased = 0
    for name in ORDER:
        queue = Queue(name, connection=client)
        ids = set(queue.get_job_ids())
        ids |= set(ScheduledJobRegistry(queue=queue).get_job_ids())
        ids |= set(FailedJobRegistry(queue=queue).get_job_ids())
        ordered = sorted(ids)
        for i in range(0, len(ordered), _JOB_CHUNK):
            for job in Job.fetch_many(ordered[i : i + _JOB_CHUNK], connection=client):
                if job is not None and job.func_name in _SEND_FUNCS:
                    erased += _erase_from_job(job, number)
    return erased


def _erase_from_job(job: Job, number: str) -> int:
    args = job.args
    if job.func_name == "workers.deliver.deliver":
        if len(args) > 1 and args[1] == number:
            job.delete()
            return 1
        return 0
    name, items, *rest = args
    kept = [item for item in items if item[1] != number]
    if len(kept) == len(items):
        return 0
    if not kept:
        job.delete()
    else:
        job.args = (name, kept, *rest)
        job.save()
    return len(items) - len(kept)


def _anonymise_audit(client: redis.Redis, masked: str) -> int:
    """Audit entries whose actor is the number's masked form name nobody afterwards (another
    number with the same last digits loses its name there too: an erasure, never a leak)."""
    found = 0
    for raw, score in client.zrange(keys.AUDIT, 0, -1, withscores=True):
        entry = json.loads(raw)
        if entry.get("actor") != masked:
            continue
        entry["actor"] = ERASED_ACTOR
        pipe = client.pipeline(transaction=True)
        pipe.zrem(keys.AUDIT, raw)
        pipe.zadd(keys.AUDIT, {json.dumps(entry, sort_keys=True): score})
        pipe.execute()
        found += 1
    if found:
        log.info("audit: %d entries anonymised", found)
    return found


def _erase_demo_outbox(client: redis.Redis, number: str) -> int:
    """The demo's outbox (at most DEMO_OUTBOX_LIMIT texts) keeps what it "sent" to whom."""
    erased = 0
    for raw in client.lrange(keys.DEMO_OUTBOX, 0, -1):
        try:
            to = json.loads(raw).get("to")
        except (ValueError, AttributeError):
            continue
        if to == number:
            erased += int(client.lrem(keys.DEMO_OUTBOX, 0, raw))
    return erased
