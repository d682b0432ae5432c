"""POST /sms answered ahead of Flask's routing (hrw_sms.web.sms_endpoint) answers exactly as
the Flask view does, malformed requests included; every other request still reaches Flask."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import redis
from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from hrw_sms.app import create_app
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.web.sms_endpoint import SmsEndpoint
from tests.conftest import PUBLIC_URL, TOKEN
from tests.feeds import feed_text
from tests.webhook import message_texts, new_sid, sign

NOW = datetime.fromisoformat("2026-11-24T15:00:00-05:00")


@pytest.fixture
def app(redis_url: str) -> Flask:
    DirectoryStore(redis.Redis.from_url(redis_url)).import_feed(feed_text())
    return create_app(
        {
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
            "HRW_PUBLIC_URL": PUBLIC_URL,
            "clock": lambda: NOW,
        }
    )


def both(app: Flask) -> tuple[Client, Client]:
    """A client through the endpoint (the app as served) and one through Flask alone."""
    endpoint = app.wsgi_app
    assert isinstance(endpoint, SmsEndpoint)
    return Client(app), Client(endpoint.next)


def params_for(number: str, body: str, **extra: str) -> dict[str, str]:
    return {"From": number, "To": "+14135550000", "Body": body, "MessageSid": new_sid(), **extra}


def signed(params: Any, url: str = PUBLIC_URL + "/sms") -> dict[str, str]:
    return {"X-Twilio-Signature": sign(TOKEN, url, params)}


def answer(client: Client, *args: Any, **kwargs: Any) -> tuple[int, str | None, bytes]:
    response = client.post(*args, **kwargs)
    return response.status_code, response.headers.get("Content-Type"), response.data


@pytest.mark.parametrize(
    "body", ["HELP", "MEETINGS", "reuniones", "01060", "gracias", "STOP", "\U0001f44d", ""]
)
def test_texts_get_the_same_answer_as_through_flask(app: Flask, body: str) -> None:
    served, flask_only = both(app)
    # Two new people sending the same text at the same moment get the same replies.
    first = params_for("+14135550101", body)
    second = params_for("+14135550102", body)
    got = answer(served, "/sms", data=first, headers=signed(first))
    expected = answer(flask_only, "/sms", data=second, headers=signed(second))
    assert got == expected
    assert got[0] == 200 and got[1] == "text/xml; charset=utf-8"
    if body not in ("STOP", ""):
        assert message_texts(got[2])


def malformed() -> list[tuple[str, dict[str, Any]]]:
    good = params_for("+14135550123", "HELP")
    return [
        ("bad signature", {"data": good, "headers": {"X-Twilio-Signature": "bad"}}),
        ("no signature", {"data": good}),
        ("signed for another URL", {"data": good, "headers": signed(good, "http://x/sms")}),
        ("JSON", {"json": good, "headers": signed(good)}),
        ("no content type", {"data": b"From=%2B14135550123", "headers": signed(good)}),
        (
            "From not a number",
            {"data": (p := params_for("not a number", "HI")), "headers": signed(p)},
        ),
        ("no From", {"data": (q := {"Body": "HI", "MessageSid": new_sid()}), "headers": signed(q)}),
        (
            "not UTF-8",
            {
                "data": b"From=%2B14135550123&Body=\xff\xfe",
                "content_type": "application/x-www-form-urlencoded",
                "headers": signed(good),
            },
        ),
        (
            "over the form size limit",
            {
                "data": {"From": "+14135550123", "Body": "x" * 600_000},
                "headers": signed(good),
            },
        ),
        (
            "a charset parameter",
            {
                "data": "&".join(f"{k}={v}" for k, v in good.items()).replace("+", "%2B"),
                "content_type": "application/x-www-form-urlencoded; charset=UTF-8",
                "headers": signed(good),
            },
        ),
    ]


@pytest.mark.parametrize("case", malformed(), ids=[name for name, _ in malformed()])
def test_malformed_requests_get_the_same_answer_as_through_flask(
    app: Flask, case: tuple[str, dict[str, Any]]
) -> None:
    name, request = case
    served, flask_only = both(app)
    got = answer(served, "/sms", **request)
    expected = answer(flask_only, "/sms", **request)
    if name == "a charset parameter":  # the same MessageSid twice: a duplicate, answered empty
        assert got[:2] == expected[:2] == (200, "text/xml; charset=utf-8")
        return
    assert got == expected
    assert got[0] in (400, 403, 413), got


def test_repeated_names_are_all_signed(app: Flask) -> None:
    served, _ = both(app)
    pairs = [("From", "+14135550123"), ("Body", "HELP"), ("MessageSid", new_sid())]
    pairs += [("MediaUrl", "https://a.example/1"), ("MediaUrl", "https://a.example/2")]
    body = "&".join(f"{k}={v}" for k, v in pairs).replace("+", "%2B").replace(":", "%3A")
    url = PUBLIC_URL + "/sms"
    # Twilio signs every value of a repeated name (twilio.request_validator reads a MultiDict)
    good = sign(TOKEN, url, MultiDict(pairs))  # type: ignore[arg-type]
    only_first = sign(TOKEN, url, dict(pairs))
    assert good != only_first
    form = "application/x-www-form-urlencoded"
    ok = served.post("/sms", data=body, content_type=form, headers={"X-Twilio-Signature": good})
    assert ok.status_code == 200
    bad = served.post(
        "/sms", data=body, content_type=form, headers={"X-Twilio-Signature": only_first}
    )
    assert bad.status_code == 403


def test_other_requests_still_reach_flask(app: Flask) -> None:
    served, flask_only = both(app)
    for method, path in [("GET", "/sms"), ("PUT", "/sms"), ("GET", "/healthz"), ("POST", "/sms/")]:
        got = served.open(path, method=method)
        expected = flask_only.open(path, method=method)
        assert (got.status_code, got.data) == (expected.status_code, expected.data), (method, path)
    assert served.get("/sms").status_code == 405
