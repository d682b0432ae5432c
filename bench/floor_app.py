"""The floor of the design: the real app with its /sms doing everything but the flow.

    python3 bench/run_sms_bench.py --app 'floor_app:create_app()'     # as /sms is served now
    python3 bench/run_sms_bench.py --app 'floor_app:create_flask()'   # through a Flask view

For each text it keeps what any /sms of this design must do: read the form, check Twilio's
signature, the sender to E.164 and its number id, the arrival script
(hrw_sms.handlers.arrival: budget, usage, caller reads, lock and MessageSid claim) and the
save script that writes the session back and lets the lock go, then a TwiML answer built
with the twilio library. It skips the flow step, the search and the rendering, so its
ratio to the bare route is the most that any work on the flow could bring, with this
server and these two round trips.

- `create_app()`: served as /sms is now, by hrw_sms.web.sms_endpoint ahead of Flask, the
  scripts on the held connection (hrw_sms.base.connection.HeldScripts);
- `create_flask()`: the same work in a Flask view through redis-py's client and pool, as
  /sms was served before 2026-11-30 (what the endpoint and the held connection saved).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response, current_app, request

from flows.keywords import parse
from hrw_sms.app import create_app as create_real_app
from hrw_sms.base.phone import to_e164
from hrw_sms.handlers import arrival
from hrw_sms.handlers.arrival import ARRIVE_SCRIPT, arrival_call
from hrw_sms.handlers.conversations import _SAVE_SCRIPT
from hrw_sms.handlers.services import Services
from hrw_sms.store import keys
from hrw_sms.web.sms import XML, twiml_xml
from hrw_sms.web.sms_endpoint import SmsEndpoint
from hrw_sms.web.webhooks import check_request

ANSWER = "Harm Reduction Works-HRW: text MEETINGS for meetings near you, HELP for help."


def floor_answer(services: Services, form: Mapping[str, str]) -> tuple[int, str, str]:
    """hrw_sms.web.sms.answer without the flow: arrival, save, a fixed TwiML answer."""
    number = to_e164(form.get("From", ""))
    body = form.get("Body", "")[:1600]
    command = parse(body)
    held, script_keys, script_args = arrival_call(
        services, number, body, form.get("MessageSid"), command
    )
    result = services.scripts(ARRIVE_SCRIPT, services.redis, script_keys, script_args)
    if result[0] == b"go":
        session = result[1][1] or b'{"language": "en"}'
        save_keys = [keys.session(held.nid), keys.prefs(held.nid), held.lock_key]
        save_args = [session, keys.SESSION_TTL, "", keys.PREFS_TTL, held.token]
        services.scripts(_SAVE_SCRIPT, services.redis, save_keys, save_args)
    return 200, XML, twiml_xml([ANSWER])


def create_app() -> Flask:
    """The floor as /sms is served now (the endpoint ahead of Flask, held connection)."""
    app = create_real_app()
    endpoint = app.wsgi_app
    assert isinstance(endpoint, SmsEndpoint)
    app.wsgi_app = endpoint.next  # type: ignore[method-assign]
    app.wsgi_app = SmsEndpoint(app, endpoint.services, floor_answer)  # type: ignore[method-assign]
    return app


def flask_floor() -> Response:
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
    return Response(twiml_xml([ANSWER]), mimetype=XML)


def create_flask() -> Flask:
    """The floor through a Flask view and redis-py's pool (/sms before 2026-11-30)."""
    app = create_real_app()
    endpoint = app.wsgi_app
    assert isinstance(endpoint, SmsEndpoint)
    app.wsgi_app = endpoint.next  # type: ignore[method-assign]
    app.view_functions["sms.sms"] = flask_floor
    services = app.extensions["hrw"]
    services.scripts = _PoolScripts()
    return app


class _PoolScripts:
    """Scripts through redis-py's client and pool (what HeldScripts replaced)."""

    def __call__(self, script, client, script_keys, script_args):  # type: ignore[no-untyped-def]
        return script(keys=script_keys, args=script_args, client=client)
