"""Post to the webhooks exactly as Twilio does: form-encoded and signed."""

from __future__ import annotations

import itertools
from xml.etree import ElementTree

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

_sids = itertools.count(1)


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
