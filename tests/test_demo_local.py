"""The demo is local: its simulator and carrier answer loopback clients only, whatever
`--host` says, judged by the socket's peer address and never by X-Forwarded-For."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
import redis
from flask import Flask

from hrw_sms.app import create_app
from hrw_sms.demo.local_carrier import PREFIX, blueprint
from hrw_sms.demo.loopback import is_loopback
from hrw_sms.demo.simulator import DemoClock, register
from hrw_sms.demo.world import load_examples, set_up_people
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import keys
from tests.conftest import TOKEN
from tests.test_demo import Demo

CARRIER = PREFIX + "/2010-04-01/Accounts/AC" + "0" * 32 + "/Messages.json"
# Every demo-only endpoint, with a request that would change something if it were answered.
CALLS = [
    ("GET", "/", None),
    ("GET", "/demo/identities", None),
    ("POST", "/demo/sms", {"from": "+14135550191", "body": "MEETINGS"}),
    ("POST", "/demo/voice", {"from": "+14135550191", "path": "/voice"}),
    ("GET", "/demo/outbox", None),
    ("GET", "/demo/clock", None),
    ("POST", "/demo/clock", {"advance_minutes": 600}),
    ("POST", CARRIER, {"To": "+14135550191", "Body": "forged"}),
    ("GET", CARRIER, None),
]


@pytest.fixture
def demo_app(r: redis.Redis) -> Iterator[tuple[Flask, DemoClock]]:
    clock = DemoClock()
    app = create_app({"redis": r, "clock": clock})
    app.register_blueprint(blueprint())
    load_examples(DirectoryStore(r))
    register(app, clock, set_up_people(app.extensions["hrw"]))
    yield app, clock


def call(app: Flask, method: str, path: str, payload: dict | None, peer: str):
    client = app.test_client()
    # A client that claims to be local in every header a proxy might set.
    headers = {
        "X-Forwarded-For": "127.0.0.1",
        "X-Real-IP": "127.0.0.1",
        "Forwarded": "for=127.0.0.1",
    }
    options: dict = {"headers": headers, "environ_base": {"REMOTE_ADDR": peer}}
    if method == "GET":
        return client.get(path, **options)
    if path.startswith(PREFIX):
        return client.post(path, data=payload, **options)
    return client.post(path, json=payload, **options)


def everything(client: redis.Redis) -> dict[bytes, object]:
    """Every key with its type and TTL bucket: a snapshot to compare (values of lists too)."""
    out: dict[bytes, object] = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        out[key] = client.lrange(key, 0, -1) if kind == b"list" else kind
    return out


@pytest.mark.parametrize("peer", ["192.0.2.2", "10.0.0.7", "fd00::2", "::ffff:192.0.2.2", ""])
def test_a_client_that_is_not_loopback_gets_403_and_nothing_happens(
    demo_app: tuple[Flask, DemoClock], r: redis.Redis, peer: str
) -> None:
    app, clock = demo_app
    before = everything(r)
    for method, path, payload in CALLS:
        answer = call(app, method, path, payload, peer)
        assert answer.status_code == 403, (method, path, answer.status_code)
        assert b"+1413555" not in answer.data and b"forged" not in answer.data
    assert clock.offset.total_seconds() == 0
    assert everything(r) == before
    assert r.llen(keys.DEMO_OUTBOX) == 0


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_are_served(demo_app: tuple[Flask, DemoClock], peer: str) -> None:
    app, clock = demo_app
    for method, path, payload in CALLS:
        answer = call(app, method, path, payload, peer)
        assert answer.status_code in (200, 201), (method, path, answer.status_code)
    assert clock.offset.total_seconds() == 600 * 60


def test_is_loopback_reads_addresses_not_names() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("fe80::1%lo") is False
    assert not is_loopback("localhost")  # a peer address is never a name
    assert not is_loopback(None) and not is_loopback("not an address")


# --- over real HTTP: the demo bound beyond loopback ---


def own_address() -> str | None:
    """This machine's address on its default route (not loopback), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("198.51.100.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            return None
        found = s.getsockname()[0]
    return None if is_loopback(found) or found == "0.0.0.0" else found


def fetch(url: str, payload: dict | None = None) -> tuple[int, bytes]:
    data = None if payload is None else json.dumps(payload).encode()
    request = Request(url, data=data, headers={"Content-Type": "application/json",
                                               "X-Forwarded-For": "127.0.0.1"})  # fmt: skip
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except HTTPError as exc:
        return exc.code, exc.read()


ADDRESS = own_address()
needs_address = pytest.mark.skipif(ADDRESS is None, reason="no non-loopback address here")
DEMO_ENV = {"TWILIO_AUTH_TOKEN": TOKEN, "HRW_NUMBER_HASH_KEY": "demo-test-hash-key"}


@needs_address
def test_demo_on_all_addresses_answers_its_simulator_only_to_loopback(tmp_path: Path) -> None:
    demo = Demo(tmp_path, host="0.0.0.0", **DEMO_ENV)
    try:
        outside, inside = f"http://{ADDRESS}:{demo.port}", f"http://127.0.0.1:{demo.port}"
        for method, path, payload in CALLS:
            body = payload if method == "POST" and not path.startswith(PREFIX) else None
            status, data = fetch(outside + path, body if method == "POST" else None)
            assert status == 403, (path, status, data[:200])
        status, data = fetch(inside + "/demo/clock")
        assert status == 200 and json.loads(data)["offset_minutes"] == 0
        status, data = fetch(inside + "/demo/identities")
        assert status == 200 and b"+14135550191" in data
    finally:
        demo.stop()


@needs_address
def test_demo_bound_to_one_outside_address_keeps_its_simulator_on_loopback(
    tmp_path: Path,
) -> None:
    demo = Demo(tmp_path, host=ADDRESS, **DEMO_ENV)
    try:
        status, _ = fetch(f"http://{ADDRESS}:{demo.port}/demo/identities")
        assert status == 403
        (inside,) = re.findall(
            r"open (http://127\.0\.0\.1:\d+)/ for the phone simulator", demo.output
        )
        status, data = fetch(inside + "/demo/identities")
        assert status == 200 and b"+14135550191" in data
        texted = fetch(inside + "/demo/sms", {"from": "+14135550123", "body": "MEETINGS"})
        assert texted[0] == 200 and b"Coming up" in texted[1]
    finally:
        demo.stop()


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
def test_demo_on_ipv6_loopback_serves_its_simulator(tmp_path: Path) -> None:
    demo = Demo(tmp_path, host="::1")
    try:
        assert f"Serving on http://[::1]:{demo.port}." in demo.output
        status, data = fetch(f"http://[::1]:{demo.port}/demo/identities")
        assert status == 200 and b"+14135550191" in data
    finally:
        demo.stop()
