"""POST /sms answered ahead of Flask's routing (hrw_sms.web.sms_endpoint) answers exactly as
the Flask view does, malformed requests included; every other request still reaches Flask."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from hrw_sms.app import create_app
from hrw_sms.web.sms_endpoint import SmsEndpoint
from tests.conftest import PUBLIC_URL, TOKEN
from tests.webhook import line_app, message_texts, new_sid, sign

NOW = datetime.fromisoformat("2026-11-24T15:00:00-05:00")


@pytest.fixture
def app(redis_url: str) -> Flask:
    return line_app(redis_url, NOW)


def both(app: Flask) -> tuple[Client, Client]:
    """A client through the endpoint (the app as served) and one through Flask alone."""
    endpoint = app.wsgi_app
    assert isinstance(endpoint, SmsEndpoint)
    return Client(app), Client(endpoint.next)


def params_for(number: str, body: str, **extra: str) -> dict[str, str]:
    return {"From": number, "To": "+14135550000", "Body": body, "MessageSid": new_sid(), **extra}


def signed(params: Any, url: str = PUBLIC_URL + "/sms") -> dict[str, str]:
    return {"X-Twilio-Signature": sign(TOKEN, url, params)}


def answer(client: Client, *args: Any, **kwargs: Any) -> tuple[str, str | None, bytes]:
    """The status line, the Content-Type and the body."""
    response = client.post(*args, **kwargs)
    return response.status, response.headers.get("Content-Type"), response.data


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
    assert got[0] == "200 OK" and got[1] == "text/xml; charset=utf-8"
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
    ]


@pytest.mark.parametrize("case", malformed(), ids=[name for name, _ in malformed()])
def test_malformed_requests_get_the_same_answer_as_through_flask(
    app: Flask, case: tuple[str, dict[str, Any]]
) -> None:
    _name, request = case
    served, flask_only = both(app)
    got = answer(served, "/sms", **request)
    expected = answer(flask_only, "/sms", **request)
    assert got == expected
    assert got[0] in ("400 BAD REQUEST", "403 FORBIDDEN", "413 REQUEST ENTITY TOO LARGE"), got


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


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-URLEncoded",
        "application/x-www-form-urlencoded;",
    ],
)
def test_a_form_with_content_type_parameters_or_capitals_is_a_form(
    app: Flask, content_type: str
) -> None:
    served, flask_only = both(app)
    sides = []
    for client, number in ((served, "+14135550103"), (flask_only, "+14135550104")):
        params = params_for(number, "HELP")
        body = "&".join(f"{k}={v}" for k, v in params.items()).replace("+", "%2B")
        sides.append(
            answer(client, "/sms", data=body, content_type=content_type, headers=signed(params))
        )
    assert sides[0] == sides[1]
    assert sides[0][0] == "200 OK" and message_texts(sides[0][2])


def test_without_a_public_url_the_url_as_received_is_the_signed_one(redis_url: str) -> None:
    app = create_app(
        {
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
            "clock": lambda: NOW,
        }
    )
    served, flask_only = both(app)
    cases = [
        ("http://localhost/sms?src=a", "/sms?src=a", {}),
        ("http://localhost:8080/sms", "/sms", {"base_url": "http://localhost:8080"}),
        ("https://localhost/sms", "/sms", {"base_url": "https://localhost"}),
        ("http://localhost/sms", "/sms?src=b", {}),  # signed without the query: refused
        ("http://localhost/sms", "/sms", {"headers": {"X-Forwarded-Host": "evil.example"}}),
    ]
    for url, path, extra in cases:
        outcomes = []
        for client, number in ((served, "+14135550105"), (flask_only, "+14135550106")):
            params = params_for(number, "HELP")
            headers = {**signed(params, url), **extra.get("headers", {})}
            base = extra.get("base_url", "http://localhost")
            outcomes.append(answer(client, path, data=params, headers=headers, base_url=base))
        assert outcomes[0] == outcomes[1], (url, path)
        assert outcomes[0][0] == ("403 FORBIDDEN" if "src=b" in path else "200 OK"), (url, path)
