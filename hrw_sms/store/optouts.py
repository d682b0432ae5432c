"""The opt-out list: keyed hashes of numbers that said STOP (or that the carrier reports so)."""

from __future__ import annotations

import time

import redis

from hrw_sms.store import keys, subscriptions

# Twilio's error 21610: the carrier has this number opted out (it texted STOP to the line).
# Whether it comes on a send (workers/outbound.py) or a status callback (hrw_sms/web/status.py),
# it means `stop`.
OPTED_OUT_AT_CARRIER = 21610


def is_opted_out(client: redis.Redis, number_id: str) -> bool:
    """True when `number_id` has opted out: the line sends it nothing until it opts back in."""
    return bool(client.sismember(keys.OPTED_OUT, number_id))


def ask_if_opted_out(pipe: redis.client.Pipeline, number_id: str) -> None:
    """Queue the is_opted_out question on a pipeline (its answer is truthy if opted out)."""
    pipe.sismember(keys.OPTED_OUT, number_id)


def opt_out(client: redis.Redis, number_id: str) -> None:
    """Mark `number_id` opted out (only that: `stop` also ends its reminders)."""
    client.sadd(keys.OPTED_OUT, number_id)


def stop(client: redis.Redis, number_id: str) -> list[str]:
    """What STOP means, wherever it comes from (the person's text, or Twilio's 21610 "the
    carrier has this number opted out"): never text the number again until it opts back in,
    and end every reminder. Returns the meeting slugs whose reminders ended. Source: the CTIA
    opt-out rules as Twilio applies them (https://help.twilio.com, "Twilio support for
    opt-out keywords")."""
    opt_out(client, number_id)
    return subscriptions.unsubscribe(client, number_id)


def opt_in(client: redis.Redis, number_id: str) -> None:
    """Let `number_id` be texted again (START, UNSTOP; Twilio's opt-in keywords)."""
    client.srem(keys.OPTED_OUT, number_id)


def wait_for_sends(
    client: redis.Redis, number_id: str, limit: float = keys.OUTBOUND_BUSY_MS / 1000
) -> None:
    """Return once no worker is handing a text for the number to Twilio (at most `limit`
    seconds). An opt-down is recorded first: every send that has not yet passed its last
    check sees it; this waits for the one that had, so the answer is true when it is given."""
    deadline = time.monotonic() + limit
    while client.exists(keys.outbound_busy(number_id)) and time.monotonic() < deadline:
        time.sleep(0.005)
