"""The outbound path against a real Redis and the real twilio library over HTTP to a fake Twilio."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis

from hrw_sms.base.config import QuietHours, Settings
from hrw_sms.store import keys, optouts, subscriptions
from hrw_sms.store.identity import number_id
from tests.conftest import PUBLIC_URL
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from workers import outbound, twilio_client
from workers.outbound import Deps, Outcome, RetryableSendError, quiet_until, send_text, status_of
from workers.twilio_client import build_client

TO = "+15035550123"
OTHER = "+15035550199"
SENDER = "+15005550006"
BODY = "Reminder: HRW peer meeting tonight at 7pm. Reply STOP to opt out."
NY = "America/New_York"
# 12:00 in New York: outside the default quiet hours (21-8).
NOON_NY = datetime(2024, 6, 3, 16, 0, tzinfo=UTC)


class Clock:
    """A controllable clock; its sleep advances time instead of waiting."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOON_NY)


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeTwilio]:
    with FakeTwilio(clock=clock) as server:
        yield server


@pytest.fixture
def settings(fake: FakeTwilio) -> Settings:
    return Settings(
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number=SENDER,
        twilio_api_base=fake.base_url,
        public_url=PUBLIC_URL,
        send_rate=1000.0,
        quiet_hours=QuietHours(21, 8),
        number_hash_key="test-number-hash-key",
    )


def make_deps(r: redis.Redis, settings: Settings, clock: Clock, timeout: float = 0.3) -> Deps:
    twilio = build_client(settings, timeout=timeout)
    return Deps.build(settings, r, twilio=twilio, clock=clock, sleep=clock.sleep)


@pytest.fixture
def deps(r: redis.Redis, settings: Settings, clock: Clock) -> Deps:
    return make_deps(r, settings, clock)


def nid(deps: Deps, number: str = TO) -> str:
    return number_id(deps.hash_key, number)


def drive(
    deps: Deps,
    clock: Clock,
    message_id: str,
    kind: outbound.Kind = "reply",
    timezone: str | None = None,
) -> tuple[Outcome, list[float]]:
    """What the job layer does: call again after each retryable error's backoff."""
    backoffs: list[float] = []
    for _ in range(50):
        try:
            return send_text(deps, message_id, TO, BODY, kind, timezone), backoffs
        except RetryableSendError as exc:
            backoffs.append(exc.backoff)
            clock.advance(exc.backoff)
    raise AssertionError(f"still retrying after {backoffs}")


# --- success ---


def test_a_send_records_sent_with_the_sid_and_keeps_no_body(
    deps: Deps, fake: FakeTwilio, r: redis.Redis
) -> None:
    outcome = send_text(deps, "m1", TO, BODY, "reply")
    [request] = fake.requests
    assert outcome.status == "sent" and outcome.sid == request.sid and not outcome.earlier
    assert str(outcome) == "sent"
    assert (request.to, request.from_, request.body) == (TO, SENDER, BODY)
    assert request.status_callback == PUBLIC_URL + "/status"
    record = status_of(r, "m1")
    assert record["status"] == "sent" and record["sid"] == request.sid
    assert record["attempts"] == "1" and record["kind"] == "reply" and record["segments"] == "1"
    assert r.get(keys.outbound_sid(request.sid)) == b"m1"
    assert r.ttl(keys.outbound("m1")) > 0 and r.ttl(keys.outbound_claim("m1")) > 0
    # Neither the body nor the number is stored anywhere.
    for key in r.scan_iter():
        dump = repr(r.dump(key))
        assert (
            "HRW peer meeting" not in dump and "5550123" not in dump and "5550123" not in repr(key)
        )


def test_a_messaging_service_is_the_sender_when_set(
    r: redis.Redis, settings: Settings, clock: Clock, fake: FakeTwilio
) -> None:
    service = "MG" + "ab" * 16
    settings = replace(settings, twilio_from_number=None, twilio_messaging_service_sid=service)
    send_text(make_deps(r, settings, clock), "m1", TO, BODY, "host")
    [request] = fake.requests
    assert request.messaging_service_sid == service and request.from_ is None


def test_no_status_callback_without_a_public_url(
    r: redis.Redis, settings: Settings, clock: Clock, fake: FakeTwilio
) -> None:
    send_text(make_deps(r, replace(settings, public_url=None), clock), "m1", TO, BODY, "reply")
    assert fake.requests[0].status_callback is None


def test_deps_need_a_sender(r: redis.Redis, settings: Settings) -> None:
    with pytest.raises(outbound.MissingSender):
        Deps.build(replace(settings, twilio_from_number=None), r)


def test_the_client_goes_to_twilio_api_base_with_a_timeout(
    settings: Settings, fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")  # would rewrite the host name if honoured
    client = build_client(settings)
    assert client.api.base_url == fake.base_url
    assert client.http_client.timeout == twilio_client.DEFAULT_TIMEOUT
    made = client.messages.create(to=TO, from_=SENDER, body="hi")
    assert [m["sid"] for m in fake.messages] == [made.sid]
    with pytest.raises(twilio_client.MissingCredentials):
        build_client(replace(settings, twilio_auth_token=None))


# --- idempotency ---


def test_the_same_message_id_is_sent_once(deps: Deps, fake: FakeTwilio) -> None:
    first = send_text(deps, "m1", TO, BODY, "reply")
    second = send_text(deps, "m1", TO, BODY, "reply")
    assert len(fake.attempts()) == 1
    assert second.earlier and second.status == "sent" and second.sid == first.sid


def claim(deps: Deps, message_id: str, token: str) -> tuple[int, str]:
    """Claim a reply to TO as another worker would (its checks included)."""
    checks = outbound.Checks(number_id(deps.hash_key, TO))
    return outbound._claim(deps, message_id, token, "reply", 1, checks)


def test_a_duplicate_job_waits_while_another_worker_sends(
    deps: Deps, fake: FakeTwilio, clock: Clock
) -> None:
    # Another worker holds the claim and is (as far as anyone knows) mid-request.
    assert claim(deps, "m1", "other-worker") == (1, "")
    with pytest.raises(RetryableSendError) as caught:
        send_text(deps, "m1", TO, BODY, "reply")
    assert caught.value.reason == "being sent by another worker"
    assert caught.value.backoff == pytest.approx(outbound.IN_FLIGHT_LIMIT)
    assert fake.requests == []


def test_a_worker_that_died_mid_send_is_taken_over_after_the_limit(
    deps: Deps, fake: FakeTwilio, clock: Clock, r: redis.Redis
) -> None:
    claim(deps, "m1", "dead-worker")  # claimed; the request never left
    outcome, backoffs = drive(deps, clock, "m1")
    assert outcome.status == "sent" and backoffs == [pytest.approx(outbound.IN_FLIGHT_LIMIT)]
    assert len(fake.sends(TO)) == 1
    assert status_of(r, "m1")["attempts"] == "2"


def test_a_worker_that_died_after_twilio_took_the_message_does_not_resend(
    deps: Deps, fake: FakeTwilio, clock: Clock
) -> None:
    claim(deps, "m1", "dead-worker")
    made = deps.twilio.messages.create(to=TO, from_=SENDER, body=BODY)  # the dead worker's send
    # An older text with the same words belongs to another message and must not be matched.
    outcome, _ = drive(deps, clock, "m1")
    assert outcome.status == "sent" and outcome.sid == made.sid and outcome.earlier
    assert len(fake.sends(TO)) == 1


def test_the_same_words_sent_earlier_as_another_message_are_not_mistaken(
    deps: Deps, fake: FakeTwilio, clock: Clock
) -> None:
    send_text(deps, "monday", TO, BODY, "reply")
    claim(deps, "tuesday", "dead-worker")
    clock.advance(outbound.IN_FLIGHT_LIMIT + 1)
    outcome = send_text(deps, "tuesday", TO, BODY, "reply")
    assert outcome.status == "sent" and not outcome.earlier
    assert len(fake.sends(TO)) == 2


# --- timeouts and connection errors ---


def test_a_timeout_after_twilio_made_the_message_is_not_sent_twice(
    deps: Deps, fake: FakeTwilio, clock: Clock, r: redis.Redis
) -> None:
    fake.delay(2.0, create=True)  # Twilio makes the message but answers too late
    with pytest.raises(RetryableSendError) as caught:
        send_text(deps, "m1", TO, BODY, "reminder", timezone=NY)
    assert caught.value.backoff == 1.0 and caught.value.reason == "no answer from Twilio"
    assert status_of(r, "m1")["status"] == "in_doubt"
    clock.advance(caught.value.backoff)
    outcome = send_text(deps, "m1", TO, BODY, "reminder", timezone=NY)
    assert outcome.status == "sent" and outcome.sid == fake.sends(TO)[0].sid
    assert len(fake.attempts(TO)) == 1
    assert status_of(r, "m1")["status"] == "sent"


def test_a_timeout_that_lost_the_request_sends_again_once_after_the_limit(
    deps: Deps, fake: FakeTwilio, clock: Clock
) -> None:
    fake.delay(2.0, create=False)  # the request dies before Twilio acts
    outcome, backoffs = drive(deps, clock, "m1")
    assert outcome.status == "sent" and not outcome.earlier
    # 1 s to look again, then wait out the in-flight limit before resending.
    assert backoffs[0] == 1.0 and sum(backoffs) >= outbound.IN_FLIGHT_LIMIT
    assert len(fake.sends(TO)) == 1 and len(fake.attempts(TO)) == 2


def test_an_unreachable_twilio_is_retried_and_the_claim_released(
    r: redis.Redis, settings: Settings, clock: Clock
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: connections are refused
    deps = make_deps(r, replace(settings, twilio_api_base=f"http://127.0.0.1:{port}"), clock)
    with pytest.raises(RetryableSendError) as caught:
        send_text(deps, "m1", TO, BODY, "reply")
    assert caught.value.reason == "Twilio unreachable" and caught.value.backoff == 1.0
    assert r.get(keys.outbound_claim("m1")) is None
    assert status_of(r, "m1")["status"] == "retrying"


# --- 429 and 5xx ---


def test_a_429_storm_backs_off_and_then_sends_exactly_once(
    deps: Deps, fake: FakeTwilio, clock: Clock, r: redis.Redis
) -> None:
    fake.rate_limit(count=4)
    outcome, backoffs = drive(deps, clock, "m1")
    assert outcome.status == "sent"
    assert backoffs == [1.0, 2.0, 4.0, 8.0]
    assert len(fake.sends(TO)) == 1 and len(fake.attempts(TO)) == 5
    assert status_of(r, "m1")["attempts"] == "5"


def test_5xx_answers_back_off_and_then_send_exactly_once(
    deps: Deps, fake: FakeTwilio, clock: Clock
) -> None:
    fake.server_errors(2, status=500)
    fake.server_errors(1, status=503)
    outcome, backoffs = drive(deps, clock, "m1")
    assert outcome.status == "sent" and backoffs == [1.0, 2.0, 4.0]
    assert len(fake.sends(TO)) == 1


def test_backoff_doubles_from_one_second_and_is_capped_at_a_minute(
    deps: Deps, fake: FakeTwilio, clock: Clock
) -> None:
    assert [outbound.backoff_for(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    fake.rate_limit(count=9)
    outcome, backoffs = drive(deps, clock, "m1")
    assert outcome.status == "sent" and backoffs == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert len(fake.sends(TO)) == 1


def test_retries_are_bounded_then_finally_failed_with_the_reason(
    deps: Deps, fake: FakeTwilio, clock: Clock, r: redis.Redis
) -> None:
    fake.rate_limit(count=1000)
    outcome, backoffs = drive(deps, clock, "m1")
    assert outcome.status == "failed" and outcome.error_code == 20429
    assert "gave up" in outcome.reason
    assert len(backoffs) == outbound.MAX_ATTEMPTS - 1
    assert len(fake.attempts(TO)) == outbound.MAX_ATTEMPTS
    assert status_of(r, "m1")["status"] == "failed"
    assert send_text(deps, "m1", TO, BODY, "reply").earlier  # final: no more tries


# --- permanent answers ---


def test_21610_is_recorded_like_stop_and_not_retried(
    deps: Deps, fake: FakeTwilio, r: redis.Redis
) -> None:
    subscriptions.subscribe(r, nid(deps), TO, "tuesday-night")
    fake.fail_number(TO, 21610)
    outcome = send_text(deps, "m1", TO, BODY, "reply")
    assert outcome.status == "failed" and outcome.error_code == 21610
    assert subscriptions.reminders_of(r, nid(deps)) == frozenset()  # as STOP does
    assert str(outcome) == "failed: 21610 opted out at the carrier"
    assert optouts.is_opted_out(r, nid(deps))
    assert status_of(r, "m1")["error_code"] == "21610"
    assert send_text(deps, "m2", TO, BODY, "reply").reason == "opted out"
    assert len(fake.attempts()) == 1


def test_21610_leaves_exactly_what_a_stop_leaves(
    deps: Deps, fake: FakeTwilio, r: redis.Redis
) -> None:
    """The carrier's opt-out and the person's STOP go through one function: same keys after."""
    from flows import effects as fx
    from hrw_sms.handlers.effects import apply_effects
    from hrw_sms.handlers.services import Services

    other = "+14135550188"
    services = Services(settings=deps.settings, redis=r)
    ids = {TO: nid(deps), other: services.number_id(other)}
    for number, its_id in ids.items():
        subscriptions.subscribe(r, its_id, number, "tuesday-night")
        subscriptions.subscribe(r, its_id, number, "thursday-night")
    fake.fail_number(TO, 21610)
    send_text(deps, "m1", TO, BODY, "reply")
    apply_effects(services, other, ids[other], [fx.OptOut()])

    def left(its_id: str) -> set[str]:
        keys_ = {k.decode().replace(its_id, "*") for k in r.scan_iter(f"*{its_id}*")}
        found = {k for k in keys_ if not k.startswith(keys.PREFIX + "out:")}  # the send itself
        return found | {"opted out"} if optouts.is_opted_out(r, its_id) else found

    assert left(ids[TO]) == left(ids[other]) == {"opted out"}


@pytest.mark.parametrize("code", [21211, 21614])
def test_an_invalid_number_is_marked_and_final(
    deps: Deps, fake: FakeTwilio, r: redis.Redis, code: int
) -> None:
    fake.fail_number(TO, code)
    outcome = send_text(deps, "m1", TO, BODY, "reply")
    assert (outcome.status, outcome.error_code, outcome.reason) == (
        "failed",
        code,
        "invalid number",
    )
    assert r.get(keys.invalid_number(nid(deps))) == str(code).encode()
    assert not optouts.is_opted_out(r, nid(deps))
    later = send_text(deps, "m2", TO, BODY, "reply")
    assert str(later) == "skipped: invalid number"
    assert len(fake.attempts()) == 1


def test_another_4xx_is_final_with_its_code(deps: Deps, fake: FakeTwilio, r: redis.Redis) -> None:
    fake.fail_number(TO, 21408)
    outcome = send_text(deps, "m1", TO, BODY, "reply")
    assert outcome.status == "failed" and outcome.error_code == 21408
    assert send_text(deps, "m1", TO, BODY, "reply").earlier
    assert len(fake.attempts()) == 1


def test_bad_credentials_are_final_not_retried(
    r: redis.Redis, settings: Settings, clock: Clock, fake: FakeTwilio
) -> None:
    deps = make_deps(r, replace(settings, twilio_auth_token="wrong"), clock)
    outcome = send_text(deps, "m1", TO, BODY, "reply")
    assert outcome.status == "failed" and outcome.error_code == 20003


# --- opt-outs ---


def test_an_opted_out_number_gets_no_request_at_all(
    deps: Deps, fake: FakeTwilio, r: redis.Redis
) -> None:
    optouts.opt_out(r, nid(deps))
    outcome = send_text(deps, "m1", TO, BODY, "bulk", timezone=NY)
    assert str(outcome) == "skipped: opted out"
    assert status_of(r, "m1")["status"] == "skipped"
    assert fake.requests == []


def test_stop_while_waiting_for_send_tokens_stops_the_send(
    r: redis.Redis, settings: Settings, clock: Clock, fake: FakeTwilio
) -> None:
    deps = make_deps(r, replace(settings, send_rate=1.0), clock)

    def stop_arrives(seconds: float) -> None:
        optouts.opt_out(r, nid(deps))  # the person texts STOP while this worker waits
        clock.advance(seconds)

    deps = replace(deps, sleep=stop_arrives)
    three_segments = "x" * 400
    send_text(deps, "m1", OTHER, three_segments, "bulk", timezone=NY)  # empties the bucket
    outcome = send_text(deps, "m2", TO, "Hello", "bulk", timezone=NY)
    assert str(outcome) == "skipped: opted out"
    assert [req.to for req in fake.requests] == [OTHER]


# --- send rate ---


def test_send_tokens_are_counted_in_segments(
    r: redis.Redis, settings: Settings, clock: Clock, fake: FakeTwilio
) -> None:
    deps = make_deps(r, replace(settings, send_rate=1.0), clock)  # paced: 1 segment a second
    # The test clock's sleep takes no real time; the limiter's clock is Redis's, which runs
    # on: each wait is the segments ahead of it less the real time since the first send
    # (measured around the calls, so a loaded machine cannot make this fail).
    began = time.time()

    def waited(segments_ahead: float, wait: float) -> bool:
        return segments_ahead - (time.time() - began) <= wait <= segments_ahead + 1e-3

    send_text(deps, "m1", TO, "x" * 400, "bulk", timezone=NY)  # 3 segments, nothing before it
    assert clock.slept == []
    send_text(deps, "m2", OTHER, "Hi", "bulk", timezone=NY)  # waits out those 3 segments
    assert len(clock.slept) == 1 and waited(3.0, clock.slept[0]), clock.slept
    send_text(deps, "m3", OTHER, "x" * 700, "bulk", timezone=NY)  # 5 segments, behind 3 + 1
    assert len(clock.slept) == 2 and waited(4.0, clock.slept[1]), clock.slept
    with pytest.raises(RetryableSendError) as caught:  # behind 9: longer than a worker sleeps
        send_text(deps, "m4", TO, "Hi", "bulk", timezone=NY)
    assert caught.value.reason == "send rate limit"
    assert waited(9.0, caught.value.backoff), caught.value.backoff
    assert "attempts" not in status_of(r, "m4")  # waiting for tokens is not an attempt
    assert len(fake.requests) == 3


# --- quiet hours ---


@pytest.mark.parametrize("kind", ["reminder", "bulk"])
def test_quiet_hours_defer_reminders_and_bulk_to_the_local_morning(
    deps: Deps, fake: FakeTwilio, clock: Clock, r: redis.Redis, kind: str
) -> None:
    clock.now = datetime(2024, 6, 4, 3, 30, tzinfo=UTC)  # 23:30 in New York (EDT)
    outcome = send_text(deps, "m1", TO, BODY, kind, timezone=NY)  # type: ignore[arg-type]
    assert outcome.status == "deferred"
    assert str(outcome) == "deferred until 2024-06-04T12:00:00Z"  # 08:00 EDT
    assert status_of(r, "m1")["status"] == "deferred"
    assert fake.requests == []
    clock.now = outcome.until  # the caller reschedules for then
    assert send_text(deps, "m1", TO, BODY, kind, timezone=NY).status == "sent"  # type: ignore[arg-type]
    assert len(fake.sends(TO)) == 1


@pytest.mark.parametrize("kind", ["reply", "host"])
def test_quiet_hours_do_not_hold_replies_or_host_prompts(
    deps: Deps, fake: FakeTwilio, clock: Clock, kind: str
) -> None:
    clock.now = datetime(2024, 6, 4, 3, 30, tzinfo=UTC)
    assert send_text(deps, "m1", TO, BODY, kind, timezone=NY).status == "sent"  # type: ignore[arg-type]


def test_quiet_hours_are_local_and_follow_dst() -> None:
    quiet = QuietHours(21, 8)
    # 06:00 UTC on the spring-forward day is 01:00 EST; quiet hours end at 08:00 EDT = 12:00 UTC.
    spring = datetime(2024, 3, 10, 6, 0, tzinfo=UTC)
    assert quiet_until(spring, NY, quiet) == datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    # 21:30 in Los Angeles ends at 08:00 the next local morning.
    evening = datetime(2024, 11, 5, 5, 30, tzinfo=UTC)
    assert quiet_until(evening, "America/Los_Angeles", quiet) == datetime(
        2024, 11, 5, 16, 0, tzinfo=UTC
    )
    assert quiet_until(NOON_NY, NY, quiet) is None
    assert quiet_until(spring, NY, None) is None
    with pytest.raises(ValueError):
        quiet_until(spring, "Mars/Olympus", quiet)


# --- privacy ---


def test_logs_show_neither_the_number_nor_the_body(
    deps: Deps, fake: FakeTwilio, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # even twilio's and urllib3's request lines
    fake.rate_limit(count=1)
    fake.delay(2.0, create=True)
    outcome, _ = drive(deps, clock, "m1")  # a 429, a timeout, a look-up by number, found
    assert outcome.status == "sent"
    assert "/Messages.json" in caplog.text  # urllib3 did log its request lines...
    assert "5035550123" not in caplog.text  # ...masked
    assert "+1******0123" in caplog.text
    assert "peer meeting" not in caplog.text and AUTH_TOKEN not in caplog.text


# --- arguments ---


def test_arguments_are_checked(deps: Deps, fake: FakeTwilio) -> None:
    with pytest.raises(ValueError, match="timezone"):
        send_text(deps, "m1", TO, BODY, "reminder")
    with pytest.raises(ValueError, match="phone number"):
        send_text(deps, "remind:15035550123", TO, BODY, "reply")
    with pytest.raises(ValueError, match="kind"):
        send_text(deps, "m1", TO, BODY, "shout")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"E\.164"):
        send_text(deps, "m1", "5035550123", BODY, "reply")
    assert fake.requests == []
