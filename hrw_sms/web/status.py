"""POST /status: Twilio's status callbacks update each outbound message's delivery record."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import redis
from flask import Blueprint, Response, current_app, request

from hrw_sms.base.phone import mask, plain_e164
from hrw_sms.handlers.services import Services
from hrw_sms.store import keys, optouts
from hrw_sms.web.webhooks import check_request, reject

log = logging.getLogger(__name__)

bp = Blueprint("status", __name__)

# Twilio's message states in the order they happen; callbacks can arrive out of order,
# so a later state is never overwritten by an earlier one.
DELIVERY_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "canceled": 3,
    "read": 4,
}

_RECORD = """
local old = tonumber(redis.call('HGET', KEYS[1], 'delivery_rank') or '-1')
if tonumber(ARGV[2]) < old then return 0 end
redis.call('HSET', KEYS[1], 'delivery', ARGV[1], 'delivery_rank', ARGV[2],
           'delivery_error', ARGV[3], 'updated', ARGV[4])
return 1
"""

_SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")
_STATE = re.compile(r"[a-z_]{1,32}")


def record_status(
    client: redis.Redis, message_sid: str, status: str, error_code: int | None = None
) -> str | None:
    """Record a delivery status; the message_id it belongs to, or None if it is not ours."""
    owner = client.get(keys.outbound_sid(message_sid))
    if owner is None:
        return None  # e.g. a TwiML reply's sid, or a record that has expired
    message_id = owner.decode()
    record = keys.outbound(message_id)
    if not client.exists(record):
        return None
    rank = DELIVERY_RANK.get(status, 0)
    args = [status, rank, "" if error_code is None else error_code, datetime.now(UTC).isoformat()]
    client.register_script(_RECORD)(keys=[record], args=args)
    return message_id


def _carrier_opt_out(services: Services, to: str | None) -> None:
    """A 21610 callback: the carrier says `to` (the recipient) opted out, exactly like STOP.

    Uses To, not the sid map: the sid map holds no number and FORGET erases it, yet the
    opt-out must still be kept. A To that is not a plain phone number opts nobody out."""
    number = plain_e164(to)
    if number is None:
        return
    optouts.stop(services.redis, services.number_id(number))  # what STOP means, one function
    log.info("opt-out recorded for %s (21610 from the carrier)", mask(number))


@bp.post("/status")
def status_callback() -> Response:
    """Twilio's message status callback (MessageSid, MessageStatus, ErrorCode)."""
    services = current_app.extensions["hrw"]
    refused = check_request(request, services.settings)
    if refused is not None:
        return refused
    sid = request.form.get("MessageSid", "").strip()
    state = request.form.get("MessageStatus", "").strip().lower()
    if not _SID.fullmatch(sid) or not _STATE.fullmatch(state):
        return reject(400, "MessageSid and MessageStatus are required")
    raw_code = request.form.get("ErrorCode", "").strip()
    code = int(raw_code) if raw_code.isdigit() else None
    try:
        record_status(services.redis, sid, state, code)
        if code == optouts.OPTED_OUT_AT_CARRIER:
            _carrier_opt_out(services, request.form.get("To"))
    except redis.RedisError:
        # Twilio-facing endpoints never answer 5xx; Twilio does not resend callbacks anyway.
        log.exception("could not record status %s for %s", state, sid)
    return Response("<Response/>", status=200, mimetype="text/xml")
