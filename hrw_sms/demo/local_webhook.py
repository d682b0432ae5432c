"""Post to our own webhooks through the WSGI stack, signed exactly as Twilio signs them
(when a token is set): the simulator and `hrw-sms chat` use the real path, not a shortcut."""

from __future__ import annotations

import secrets
from xml.etree import ElementTree

from flask import Flask
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

LOCAL_BASE = "http://localhost"


def post(app: Flask, path: str, params: dict[str, str], base_url: str = LOCAL_BASE) -> TestResponse:
    """POST `params` to `path` on `app` in-process, signed as Twilio would sign it
    (X-Twilio-Signature) when an auth token is set; the test client's response."""
    settings = app.extensions["hrw"].settings
    headers = {}
    if settings.twilio_auth_token:
        signed_for = (settings.public_url or base_url.rstrip("/")) + path
        validator = RequestValidator(settings.twilio_auth_token)
        headers["X-Twilio-Signature"] = validator.compute_signature(signed_for, params)
    return app.test_client().post(path, data=params, headers=headers, base_url=base_url)


def text(app: Flask, number: str, body: str, base_url: str = LOCAL_BASE) -> list[str] | None:
    """The replies to one text, or None if /sms refused it."""
    params = {
        "From": number, "To": "+14135550000", "Body": body[:1600],
        "MessageSid": "SM" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
    }  # fmt: skip
    answer = post(app, "/sms", params, base_url)
    if answer.status_code != 200:
        return None
    return [m.text or "" for m in ElementTree.fromstring(answer.data).iter("Message")]
