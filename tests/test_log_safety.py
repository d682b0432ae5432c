"""Logs cannot be forged: whatever a request carries (path, query, form fields, headers),
no newline, carriage return, ANSI escape or other control character reaches a log line raw.

Checked at every layer that writes lines: the formatter every module logs through, the
app's endpoints (all of them, found from the URL map), the demo's werkzeug server and
gunicorn's own access log, over real HTTP."""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from flask import Flask

from hrw_sms.app import create_app
from hrw_sms.base.logs import MaskingFormatter, escape
from hrw_sms.demo.local_carrier import blueprint
from hrw_sms.demo.simulator import DemoClock, register
from hrw_sms.demo.world import load_examples, set_up_people
from hrw_sms.meetings.directory import DirectoryStore
from tests.conftest import PUBLIC_URL, TOKEN
from tests.test_demo import Demo, free_port
from tests.webhook import new_sid, sign

FAKE_STAMP = "2026-01-01 00:00:00,000"
# A value that would start a fake record, repaint the terminal and flip text direction.
EVIL = f"x\r\n{FAKE_STAMP} INFO hrw_sms.sms: FORGED\x1b[2J\x1b[31m\u2028\u202e\x00\x7f\x85\t"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def assert_safe(output: str) -> None:
    """No raw control character (newlines between records aside), and no forged record."""
    assert not CONTROL.findall(output), sorted(set(CONTROL.findall(output)))
    forged = [line for line in output.splitlines() if FAKE_STAMP in line[:40]]
    assert forged == [], forged


# --- the formatter: every module's lines ---


def test_escape_leaves_plain_text_and_escapes_the_rest() -> None:
    assert escape("Reunión 6pm ¿sí? 👍") == "Reunión 6pm ¿sí? 👍"
    assert escape("a\r\nb\x1b[31m\\") == "a\\r\\nb\\x1b[31m\\\\"
    assert escape("\u2028\u202e\U000e0001") == "\\u2028\\u202e\\U000e0001"


def format_record(message: str, *args: object, exc: BaseException | None = None) -> str:
    formatter = MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    info = (type(exc), exc, exc.__traceback__) if exc else None
    record = logging.LogRecord("hrw_sms.x", logging.WARNING, __file__, 1, message, args, info)
    return formatter.format(record)


def test_a_record_is_one_line_whatever_its_arguments() -> None:
    line = format_record("rejected %s from %s", EVIL, "+14135550123")
    assert "\n" not in line and "FORGED" in line and "+1******0123" in line
    assert_safe(line)


def test_an_exception_message_quoting_a_request_cannot_forge_a_line() -> None:
    try:
        try:
            raise ValueError(f"bad status {EVIL}")
        except ValueError as inner:
            raise RuntimeError(f"while handling {EVIL}") from inner
    except RuntimeError as exc:
        text = format_record("could not record %s", EVIL, exc=exc)
    assert "Traceback (most recent call last):" in text and "direct cause" in text
    assert text.count("FORGED") == 3
    assert_safe(text)


# --- every endpoint of the app (the demo's included) ---


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the root logger's real handler (set up by create_app) writes."""
    stream = io.StringIO()
    (handler,) = [
        h for h in logging.getLogger().handlers if isinstance(h.formatter, MaskingFormatter)
    ]
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


@pytest.fixture
def app(r: redis.Redis) -> Flask:
    clock = DemoClock()
    app = create_app({"redis": r, "clock": clock, "TWILIO_AUTH_TOKEN": TOKEN,
                      "HRW_PUBLIC_URL": PUBLIC_URL, "HRW_NUMBER_HASH_KEY": "k" * 32})  # fmt: skip
    app.register_blueprint(blueprint())
    load_examples(DirectoryStore(r))
    register(app, clock, set_up_people(app.extensions["hrw"]))
    return app


def paths(app: Flask) -> Iterator[tuple[str, str]]:
    """(method, path with EVIL in each variable part) for every rule, plus an unknown path."""
    for rule in app.url_map.iter_rules():
        filled = {arg: EVIL for arg in rule.arguments}
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[^:>]+:)?{arg}>", quote(filled[arg], safe=""), path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, path
    yield "GET", "/" + quote(EVIL, safe="")


FIELDS = ("From", "To", "Body", "MessageSid", "MessageStatus", "ErrorCode", "CallSid",
          "Digits", "SpeechResult", "AccountSid", "phone", "code", "text")  # fmt: skip


@pytest.mark.parametrize("peer", ["127.0.0.1", "192.0.2.9"])
def test_no_endpoint_writes_a_request_value_raw(
    app: Flask, captured: io.StringIO, peer: str
) -> None:
    client = app.test_client()
    form = {name: EVIL for name in FIELDS}
    headers = {"User-Agent": EVIL.replace("\r\n", " "), "X-Forwarded-For": "127.0.0.1"}
    for method, path in paths(app):
        url = f"{path}?q={quote(EVIL)}&From={quote(EVIL)}"
        options = {"headers": headers, "environ_base": {"REMOTE_ADDR": peer}}
        if method == "GET":
            client.get(url, **options)
        else:
            client.post(url, data=form, **options)
            client.post(url, json={"from": EVIL, "body": EVIL, "path": "/voice" + EVIL}, **options)
    # Signed, so the handlers themselves run on the values (not only the signature check).
    for path in ("/sms", "/status", "/voice"):
        params = {**form, "From": "+14135550123", "MessageSid": new_sid(), "CallSid": new_sid("CA")}
        signature = sign(TOKEN, PUBLIC_URL + path, params)
        client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    output = captured.getvalue()
    assert "FORGED" in output  # request values did reach the log: the check is not vacuous
    assert_safe(output)


# --- real servers: the demo's werkzeug and gunicorn ---


RAW_PATHS = [
    # as sent on the wire: raw bytes a client may put in a request line or header
    b"/sms%0d%0a" + FAKE_STAMP.replace(" ", "%20").encode() + b"%20INFO%20x:%20FORGED?a=%1b[31m",
    b"/nowhere\x1b[2J\x1b[31mFORGED",
]


EVIL_HEADERS = b"User-Agent: ua\x1b[31mFORGED\x7f\r\nReferer: r\x1b]0;title\x07\r\n"


def raw_request(port: int, target: bytes, headers: bytes = EVIL_HEADERS) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST " + target + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                  + headers + b"Connection: close\r\n\r\n")  # fmt: skip
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_demo_server_logs_requests_escaped(tmp_path: Path) -> None:
    demo = Demo(tmp_path)
    try:
        for target in RAW_PATHS:
            raw_request(demo.port, target)
        deadline = time.monotonic() + 10
        while demo.output.count("FORGED") < len(RAW_PATHS) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        demo.stop()
    served = demo.output.split("Ctrl-C stops.", 1)[1]
    assert served.count("FORGED") >= len(RAW_PATHS), served
    assert_safe(served)


GUNICORN_FORMAT = '%(h)s "%(r)s" %(s)s U=%(U)s q=%(q)s "%(f)s" "%(a)s" %({x-note}i)s'
# gunicorn refuses raw control bytes in a request line or header (it logs the refusal with
# repr), but decodes %0d%0a in the path and lets C1 bytes (0x80-0x9f: \x9b is the 8-bit CSI
# that starts an ANSI sequence on many terminals) through in headers.
GUNICORN_REQUESTS = [
    (RAW_PATHS[0], b"User-Agent: ua\x9b31mFORGED\r\n"),
    (b"/healthz", b"X-Note: n\x9b2J\x9b31mFORGED\x85\r\n"),
    (RAW_PATHS[1], b""),
    (b"/healthz", EVIL_HEADERS),
]


def test_gunicorn_access_and_error_logs_are_escaped(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": TOKEN,
           "HRW_PUBLIC_URL": PUBLIC_URL, "HRW_NUMBER_HASH_KEY": "k" * 32}  # fmt: skip
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--no-control-socket", "--logger-class", "hrw_sms.gunicorn_logs.Logger",
             "--access-logfile", "-", "--access-logformat", GUNICORN_FORMAT,
             "hrw_sms.app:create_app()"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while "Booting worker" not in log.read_text() or not _answers(port):
                assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                time.sleep(0.2)
            for target, extra in GUNICORN_REQUESTS:
                raw_request(port, target, extra)
            deadline = time.monotonic() + 10
            while log.read_text().count(" U=") < 2:  # the two requests gunicorn accepts
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(15)
    output = log.read_text()
    assert len([x for x in output.splitlines() if " U=" in x and "FORGED" in x]) == 2, output
    assert_safe(output)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
