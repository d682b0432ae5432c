"""The floor of the current design: the real app with its /sms doing everything but the flow.

`gunicorn --pythonpath bench 'floor_app:create_app()'` (or `run_sms_bench.py --app
'floor_app:create_app()'`), and `floor_app:create_lean()` for the lean floor below. The view
keeps what any /sms of this design must do for each
text: Flask's request and form, Twilio's signature check (hrw_sms.web.webhooks), the sender
to E.164 and its number id, the arrival script (hrw_sms.handlers.arrival: budget, usage,
caller reads, lock and MessageSid claim) and the save script that writes the session back
and lets the lock go, then a TwiML answer built with the twilio library. It skips the flow
step, the search and the rendering: its ratio to the bare route is the most that tuning
the flow could ever bring, on this server and these two round trips.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import redis
from flask import Flask, Response, current_app, request
from twilio.request_validator import RequestValidator, compare
from twilio.twiml.messaging_response import MessagingResponse

from flows.keywords import parse
from hrw_sms.app import create_app as create_real_app
from hrw_sms.base.phone import to_e164
from hrw_sms.handlers import arrival
from hrw_sms.handlers.arrival import ARRIVE_SCRIPT, arrival_call
from hrw_sms.handlers.conversations import _SAVE_SCRIPT
from hrw_sms.store import keys
from hrw_sms.web.sms import twiml
from hrw_sms.web.webhooks import check_request

ANSWER = "Harm Reduction Works-HRW: text MEETINGS for meetings near you, HELP for help."


def floor_sms() -> Response:
    services = current_app.extensions["hrw"]
    problem = check_request(request, services.settings)
    if problem is not None:
        return problem
    number = to_e164(request.form.get("From", ""))
    body = request.form.get("Body", "")[:1600]
    command = parse(body)
    arrived = arrival.arrive(services, number, body, request.form.get("MessageSid"), command)
    if arrived.outcome is arrival.Outcome.GO:
        assert arrived.conversation is not None and arrived.found is not None
        held = arrived.conversation
        session = arrived.found[1] or b'{"language": "en"}'
        _SAVE_SCRIPT(
            keys=[keys.session(held.nid), keys.prefs(held.nid), held.lock_key],
            args=[session, keys.SESSION_TTL, "", keys.PREFS_TTL, held.token],
            client=services.redis,
        )
    return twiml([ANSWER])


def create_app() -> Flask:
    app = create_real_app()
    app.view_functions["sms.sms"] = floor_sms
    return app


def create_lean() -> Callable[..., Iterable[bytes]]:
    """The lean floor: the same work for POST /sms with no framework at all and the least
    a Python client can spend. A plain WSGI callable in front of the real app (every other
    path goes to it): the body parsed by urllib, Twilio's validator on a dict, the real
    arrival and save scripts by EVALSHA over one Redis connection per process held open
    (no pool), and the twilio library's TwiML. No Flask request, no werkzeug form. Nothing
    this product could ship costs less per text in Python on this server."""
    app = create_real_app()
    services = app.extensions["hrw"]
    validator = RequestValidator(services.settings.twilio_auth_token)
    url = services.settings.public_url + "/sms"
    held: dict[int, redis.connection.AbstractConnection] = {}

    def connection() -> redis.connection.AbstractConnection:
        pid = os.getpid()  # --preload forks after this module loads: one connection each
        if pid not in held:
            services.redis.script_load(ARRIVE_SCRIPT.script)
            services.redis.script_load(_SAVE_SCRIPT.script)
            held[pid] = services.redis.connection_pool.make_connection()
        return held[pid]

    def call(sha: str, script_keys: list[str], script_args: list[Any]) -> Any:
        conn = connection()
        conn.send_command("EVALSHA", sha, len(script_keys), *script_keys, *script_args)
        return conn.read_response()

    def lean(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/sms" or environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length).decode("utf-8", "replace")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
        if not compare(validator.compute_signature(url, form), signature):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"invalid or missing X-Twilio-Signature\n"]
        number = to_e164(form.get("From", ""))
        body = form.get("Body", "")[:1600]
        command = parse(body)
        sid = form.get("MessageSid")
        conversation, script_keys, script_args = arrival_call(services, number, body, sid, command)
        result = call(ARRIVE_SCRIPT.sha, script_keys, script_args)
        if result[0] == b"go":
            session = result[1][1] or b'{"language": "en"}'
            nid = conversation.nid
            save_keys = [keys.session(nid), keys.prefs(nid), conversation.lock_key]
            call(
                _SAVE_SCRIPT.sha,
                save_keys,
                [session, keys.SESSION_TTL, "", keys.PREFS_TTL, conversation.token],
            )
        reply = MessagingResponse()
        reply.message(ANSWER)
        xml = str(reply).encode()
        headers = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(xml)))]
        start_response("200 OK", headers)
        return [xml]

    return lean
