"""The demo's stand-in for Twilio's REST API: texts the workers "send" are shown locally.

Only `hrw-sms demo` mounts it. The workers reach it through the real twilio library and the
real outbound path (TWILIO_API_BASE), so the demo exercises what production runs."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

from flask import Blueprint, Response, current_app, jsonify, request

from flows.gsm import segments
from hrw_sms.demo.loopback import local_only
from hrw_sms.store import keys

API = "/2010-04-01/Accounts/<account_sid>/Messages.json"
PREFIX = "/demo/twilio"


def blueprint(show: Callable[[dict], None] | None = None) -> Blueprint:
    """The carrier's endpoints; `show` is called with each text as it is "sent". Loopback
    clients only: its message list holds every number and body the demo has "sent"."""
    bp = local_only(Blueprint("local_carrier", __name__, url_prefix=PREFIX))

    @bp.post(API)
    def create(account_sid: str) -> tuple[Response, int]:
        to, body = request.form.get("To", ""), request.form.get("Body", "")
        if not to or not body:
            return jsonify(code=21604, message="'To' and 'Body' are required", status=400), 400
        now = datetime.now(UTC)
        message = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": account_sid,
            "to": to,
            "from": request.form.get("From") or request.form.get("MessagingServiceSid"),
            "body": body,
            "status": "queued",
            "num_segments": str(segments(body)),
            "direction": "outbound-api",
            "date_created": format_datetime(now),
            "date_sent": format_datetime(now),
            "date_updated": format_datetime(now),
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/x.json",
        }
        client = current_app.extensions["hrw"].redis
        message["n"] = int(client.incr(keys.DEMO_OUTBOX_SEQ))
        pipe = client.pipeline(transaction=True)
        pipe.lpush(keys.DEMO_OUTBOX, json.dumps(message))
        pipe.ltrim(keys.DEMO_OUTBOX, 0, keys.DEMO_OUTBOX_LIMIT - 1)
        pipe.expire(keys.DEMO_OUTBOX, keys.DEMO_OUTBOX_TTL)
        pipe.execute()
        if show:
            show(message)
        return jsonify(message), 201

    @bp.get(API)
    def listing(account_sid: str) -> Response:
        """Twilio's message list, newest first (the outbound path reconciles with it)."""
        to = request.args.get("To")
        found = [m for m in outbox(current_app.extensions["hrw"].redis) if not to or m["to"] == to]
        return jsonify(
            messages=found[: int(request.args.get("PageSize", 50))],
            page=0, page_size=len(found), uri=request.full_path, next_page_uri=None,
        )  # fmt: skip

    return bp


def outbox(client) -> list[dict]:
    """The texts the demo has "sent", newest first."""
    return [json.loads(raw) for raw in client.lrange(keys.DEMO_OUTBOX, 0, -1)]
