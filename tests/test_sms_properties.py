"""Whatever arrives at /sms, the answer is valid TwiML (or a 400/403), never a 500."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

import pytest
import redis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.gsm import is_gsm, segments
from flows.texts import text
from hrw_sms.app import create_app
from hrw_sms.meetings.directory import DirectoryStore
from tests.conftest import PUBLIC_URL, TOKEN
from tests.feeds import feed_text
from tests.webhook import sign

NOW = datetime.fromisoformat("2026-11-24T15:00:00-05:00")
# The apology the shell sends when handling a text crashed: valid input must never get it
# (without this, any crash would pass as "valid TwiML").
FALLBACKS = {
    text(language, "fallback", contact=text(language, "default_contact"))
    for language in ("en", "es")
}

words = st.sampled_from(
    [
        "MEETINGS",
        "MORE",
        "1",
        "2",
        "99",
        "WELCOME",
        "AGREEMENTS",
        "HELP",
        "MENU",
        "ESPANOL",
        "ENGLISH",
        "FORGET",
        "YES",
        "SI",
        "STOP",
        "START",
        "TODAY",
        "ONLINE",
        "01060",
        "94607",
        "northampton",
        "🎉",
        "¿qué?",
        "REMIND",
        "CANCEL",
        " ",
        "\n",
        "é",
        "x" * 300,
    ]
)
bodies = st.one_of(st.text(max_size=2000), st.lists(words, max_size=6).map(" ".join))
numbers = st.one_of(
    st.sampled_from(["+14135550123", "+14135550124", "(413) 555-0125", "+447700900123"]),
    st.text(max_size=20),
)
extras = st.dictionaries(
    st.sampled_from(["To", "NumMedia", "SmsStatus", "MessageSid", "Junk"]),
    st.text(max_size=40),
    max_size=4,
)


@pytest.fixture(scope="module")
def app(redis_server) -> Flask:
    redis_server.client().flushall()
    DirectoryStore(redis.Redis.from_url(redis_server.url)).import_feed(feed_text())
    return create_app(
        {
            "REDIS_URL": redis_server.url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
            "HRW_PUBLIC_URL": PUBLIC_URL,
            "clock": lambda: NOW,
        }
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies, number=numbers, extra=extras, signed=st.booleans(), drop_body=st.booleans())
def test_any_request_gets_twiml_or_a_4xx(
    app: Flask, body: str, number: str, extra: dict, signed: bool, drop_body: bool
) -> None:
    params = {**extra, "From": number}
    if not drop_body:
        params["Body"] = body
    headers = {"X-Twilio-Signature": sign(TOKEN, PUBLIC_URL + "/sms", params) if signed else "x"}
    response = app.test_client().post("/sms", data=params, headers=headers)
    assert response.status_code in (200, 400, 403)
    if not signed:
        assert response.status_code == 403
        return
    if response.status_code == 200:
        root = ElementTree.fromstring(response.data)
        assert root.tag == "Response"
        for child in root:
            assert child.tag == "Message"
            assert is_gsm(child.text or "") and segments(child.text or "") <= 3
            assert child.text not in FALLBACKS, f"{body!r} from {number!r} crashed the handler"
