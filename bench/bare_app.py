"""The baseline: a bare Flask route answering a fixed TwiML, served like the real app.

`gunicorn --pythonpath bench 'bare_app:create_app()'`. It neither parses the form nor checks
the signature: it is the cost of gunicorn + Flask + one response, which the real /sms is
compared against.
"""

from __future__ import annotations

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
    "Harm Reduction Works-HRW: text MEETINGS for meetings near you, HELP for help."
    "</Message></Response>"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/sms")
    def sms() -> Response:
        return Response(TWIML, mimetype="text/xml")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    return app
