"""Post to the webhooks exactly as Twilio does: form-encoded and signed."""

from __future__ import annotations

import itertools
from datetime import datetime
from xml.etree import ElementTree

import redis
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from hrw_sms.app import create_app
from hrw_sms.meetings.directory import DirectoryStore
from tests.conftest import PUBLIC_URL, TOKEN
from tests.feeds import feed_text

_sids = itertools.count(1)


def line_app(redis_url: str, now: datetime) -> Flask:
    """The app as the webhook tests run it: the example feed loaded, signatures checked
    (TOKEN, for PUBLIC_URL), the clock stopped at `now`."""
    DirectoryStore(redis.Redis.from_url(redis_url)).import_feed(feed_text())
    return create_app(
        {
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
            "HRW_PUBLIC_URL": PUBLIC_URL,
            "clock": lambda: now,
        }
    )


def new_sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sids):032x}"


def sign(token: str, url: str, params: dict[str, str]) -> str:
    return RequestValidator(token).compute_signature(url, params)


def message_texts(xml: bytes | str) -> list[str]:
    root = ElementTree.fromstring(xml)
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]


class Phone:
    """One person's phone texting the line through signed webhooks."""

    def __init__(
        self, client: FlaskClient, number: str, token: str | None, public_url: str
    ) -> None:
        self.client, self.number, self.token, self.public_url = client, number, token, public_url

    def post(self, body: str, sid: str | None = None, **extra: str):
        params = {
            "From": self.number,
            "To": "+14135550000",
            "Body": body,
            "MessageSid": sid or new_sid(),
            "AccountSid": "AC" + "0" * 32,
            **extra,
        }
        headers = {}
        if self.token:
            headers["X-Twilio-Signature"] = sign(self.token, self.public_url + "/sms", params)
        return self.client.post("/sms", data=params, headers=headers)

    def text(self, body: str, sid: str | None = None) -> str:
        response = self.post(body, sid)
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        return "\n".join(message_texts(response.data))
