"""POST /status: signed Twilio status callbacks update an outbound message's delivery record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from hrw_sms.base.config import Settings
from hrw_sms.web import status
from tests.conftest import PUBLIC_URL
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from workers.outbound import Deps, send_text, status_of
from workers.twilio_client import build_client

TO = "+15035550123"


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def settings(fake: FakeTwilio) -> Settings:
    return Settings(
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number="+15005550006",
        twilio_api_base=fake.base_url,
        public_url=PUBLIC_URL,
        send_rate=1000.0,
        number_hash_key="test-number-hash-key",
    )


@pytest.fixture
def client(settings: Settings, r: redis.Redis) -> FlaskClient:
    app = Flask(__name__)
    app.extensions["hrw"] = SimpleNamespace(settings=settings, redis=r)
    app.register_blueprint(status.bp)
    return app.test_client()


@pytest.fixture
def sid(settings: Settings, r: redis.Redis) -> str:
    deps = Deps.build(settings, r, twilio=build_client(settings, timeout=2))
    outcome = send_text(deps, "m1", TO, "Hello", "reply")
    assert outcome.sid is not None
    return outcome.sid


def post(
    client: FlaskClient, url: str, form: dict[str, str], token: str = AUTH_TOKEN
) -> TestResponse:
    signature = RequestValidator(token).compute_signature(url, form)
    path = url.removeprefix(PUBLIC_URL)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def test_a_signed_callback_records_delivery(
    client: FlaskClient, fake: FakeTwilio, sid: str, r: redis.Redis
) -> None:
    url, form = fake.status_callback(sid, "delivered")
    assert url == PUBLIC_URL + "/status"
    answer = post(client, url, form)
    assert answer.status_code == 200
    record = status_of(r, "m1")
    assert record["status"] == "sent" and record["delivery"] == "delivered"
    assert record["delivery_error"] == ""


def test_a_late_earlier_state_does_not_overwrite_a_later_one(
    client: FlaskClient, fake: FakeTwilio, sid: str, r: redis.Redis
) -> None:
    post(client, *fake.status_callback(sid, "undelivered", error_code=30003))
    post(client, *fake.status_callback(sid, "sent"))
    record = status_of(r, "m1")
    assert (record["delivery"], record["delivery_error"]) == ("undelivered", "30003")


def test_a_bad_signature_is_refused(
    client: FlaskClient, fake: FakeTwilio, sid: str, r: redis.Redis
) -> None:
    url, form = fake.status_callback(sid, "delivered")
    assert post(client, url, form, token="not-the-token").status_code == 403
    assert client.post("/status", data=form).status_code == 403
    assert "delivery" not in status_of(r, "m1")


def test_missing_fields_are_a_bad_request(client: FlaskClient, fake: FakeTwilio, sid: str) -> None:
    url, form = fake.status_callback(sid, "delivered")
    del form["MessageStatus"]
    assert post(client, url, form).status_code == 400
    assert post(client, url, {"MessageStatus": "sent"}).status_code == 400


def test_an_unknown_sid_is_accepted_and_ignored(client: FlaskClient, r: redis.Redis) -> None:
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    assert post(client, PUBLIC_URL + "/status", form).status_code == 200
    assert status.record_status(r, "SM" + "0" * 32, "delivered") is None


def test_record_status_returns_the_message_id(sid: str, r: redis.Redis) -> None:
    assert status.record_status(r, sid, "sent") == "m1"
    assert status.record_status(r, sid, "queued") == "m1"  # ignored: earlier than "sent"
    assert status_of(r, "m1")["delivery"] == "sent"
    assert datetime.fromisoformat(status_of(r, "m1")["updated"]) <= datetime.now(UTC)


def test_a_21610_callback_opts_the_recipient_out_even_when_the_sid_is_unknown(
    redis_url: str, r: redis.Redis
) -> None:
    """FORGET erases the sid map; the carrier's 21610 for that message still names To."""
    from hrw_sms.app import create_app
    from hrw_sms.store import optouts
    from tests.conftest import TOKEN

    app = create_app(
        {
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_PUBLIC_URL": PUBLIC_URL,
            "HRW_NUMBER_HASH_KEY": "a-key-for-the-status-test-0123",
        }
    )
    services = app.extensions["hrw"]
    web = app.test_client()
    unknown = "SM" + "1" * 32
    for to in ("whatsapp:" + TO, "whatsapp+" + TO[1:]):  # not a plain number: nobody
        form = {"MessageSid": unknown, "MessageStatus": "failed", "ErrorCode": "21610", "To": to}
        assert post(web, PUBLIC_URL + "/status", form, TOKEN).status_code == 200
    assert not optouts.is_opted_out(r, services.number_id(TO))
    form = {"MessageSid": unknown, "MessageStatus": "undelivered", "ErrorCode": "21610", "To": TO}
    assert post(web, PUBLIC_URL + "/status", form, TOKEN).status_code == 200
    assert optouts.is_opted_out(r, services.number_id(TO))
    other = "+15035550199"  # another error code opts nobody out
    form = {"MessageSid": unknown, "MessageStatus": "failed", "ErrorCode": "30003", "To": other}
    assert post(web, PUBLIC_URL + "/status", form, TOKEN).status_code == 200
    assert not optouts.is_opted_out(r, services.number_id(other))
