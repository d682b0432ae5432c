"""`hrw-sms demo` as a newcomer runs it: a subprocess, nothing configured, texted over HTTP."""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen
from xml.etree import ElementTree

import pytest

from flows.gsm import to_gsm


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    def __init__(self, tmp: Path, host: str | None = None, **extra: str) -> None:
        self.port = free_port()
        where = ["--host", host] if host else []
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HRW_", "REDIS_"))
        }
        env |= {"HRW_DATA_DIR": str(tmp / "data"), **extra}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hrw_sms", "demo", "--port", str(self.port), *where],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("Ctrl-C stops")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"{text!r} never appeared:\n{self.output}")
            time.sleep(0.05)

    def text(self, body: str, number: str = "+14135550123") -> str:
        data = urlencode({"From": number, "Body": body}).encode()
        with urlopen(f"http://127.0.0.1:{self.port}/sms", data=data, timeout=5) as response:
            root = ElementTree.fromstring(response.read())
        return "\n".join(m.text or "" for m in root.iter("Message"))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def soonest_example() -> tuple[str, int]:
    """The next example meeting to start, and a reminder lead (minutes) that makes its
    reminder due now: so the test sees a real reminder without waiting for the clock."""
    from flows.occurrences import next_occurrence
    from hrw_sms.meetings.feed import example_feed, parse_feed

    now = datetime.now(UTC)
    feed = parse_feed(example_feed(), existing_groups={})
    starts = [next_occurrence(m, now + timedelta(minutes=20)) for m in feed.meetings.values()]
    occ = min((o for o in starts if o is not None), key=lambda o: o.start)
    return occ.meeting.name, math.ceil((occ.start - now).total_seconds() / 60)


@pytest.fixture
def demo(tmp_path: Path):
    name, lead = soonest_example()
    d = Demo(tmp_path, HRW_REMINDER_MINUTES=str(lead), HRW_QUIET_HOURS="off")
    d.soonest = name
    yield d
    if d.process.poll() is None:
        d.stop()


def test_a_newcomer_texts_the_demo_and_gets_a_reminder(demo: Demo, tmp_path: Path) -> None:
    assert "curl -s -X POST" in demo.output and "Body=MEETINGS" in demo.output
    listing = demo.text("MEETINGS")
    assert listing.startswith("Coming up:\n1. ") and "Example:" in listing
    assert "Open meeting" in demo.text("1") or "Focused meeting" in demo.text("1")
    assert demo.text("WELCOME").startswith(("Welcome", "Example"))
    # Texts are folded to GSM-7 ("Reunión" is sent as "Reunion"), so compare folded names.
    (line,) = [x for x in listing.splitlines() if to_gsm(demo.soonest)[:20] in x][:1]
    assert "STOP" in demo.text("REMIND " + line.split(".")[0])
    demo.wait_for("[demo outbox] to +1******0123:")
    demo.wait_for("Harm Reduction Works-HRW reminder:")
    logged = [x for x in demo.lines if "curl -s" not in x]  # the curl line is an instruction
    assert not [x for x in logged if "5550123" in x]  # numbers masked even in the demo
    assert demo.stop() == 0
    assert (tmp_path / "data" / "appendonlydir").is_dir()  # AOF on in the embedded store


def test_demo_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hrw_sms", "demo", "--host", "0.0.0.0"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")},
             "HRW_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode != 0 and "loopback" in result.stderr


def call_json(demo: Demo, path: str, payload: dict | None = None) -> dict:
    import json
    from urllib.request import Request

    data = None if payload is None else json.dumps(payload).encode()
    request = Request(f"http://127.0.0.1:{demo.port}{path}", data=data,
                      headers={"Content-Type": "application/json"})  # fmt: skip
    with urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_simulator_api_texts_calls_and_moves_the_demo_clock(tmp_path: Path) -> None:
    demo = Demo(tmp_path, HRW_QUIET_HOURS="off")
    try:
        people = call_json(demo, "/demo/identities")["identities"]
        roles = {p["role"] for p in people}
        assert roles == {"participant", "host", "coordinator", "volunteer"}
        listing = call_json(demo, "/demo/sms", {"from": "+14135550123", "body": "MEETINGS"})
        assert listing["messages"][0].startswith("Coming up:\n1. ")
        first = call_json(demo, "/demo/sms", {"from": "+14135550123", "body": "REMIND 1"})
        assert "STOP" in first["messages"][0]
        before = call_json(demo, "/demo/outbox")["last"]
        moved = call_json(demo, "/demo/clock", {"to_next_due": True})
        assert moved["released"] >= 1 and moved["offset_minutes"] >= 0
        deadline = time.monotonic() + 15
        while True:
            texts = call_json(demo, f"/demo/outbox?after={before}")["texts"]
            if texts or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert texts and texts[0]["to"].startswith("+1******")
        call = call_json(demo, "/demo/voice", {"from": "+14135550123", "path": "/voice"})
        assert call["says"] and call["gather"]["action"].startswith("/voice")
        assert any(s["language"].startswith("es") for s in call["says"])  # "9 para español"
        menu = call_json(demo, "/demo/voice", {"from": "+14135550123", "path": call["gather"]["action"],
                                               "digits": "1", "call": "CA" + "1" * 32})  # fmt: skip
        assert menu["says"] and not menu["hangup"]
    finally:
        demo.stop()


def test_the_demo_volunteer_answers_a_talk_text_and_a_call(tmp_path: Path) -> None:
    """The example volunteer is on shift around the clock: a TALK text and a call's 7
    reach them on the simulator, and what each side says reaches the other."""
    demo = Demo(tmp_path, HRW_QUIET_HOURS="off")
    person, volunteer = "+14135550123", "+14135550193"

    def texts_to(masked_tail: str, after: int, containing: str) -> list[dict]:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            found = [
                t
                for t in call_json(demo, f"/demo/outbox?after={after}")["texts"]
                if t["to"].endswith(masked_tail) and containing in t["body"]
            ]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no text to {masked_tail} with {containing!r}")

    try:
        before = call_json(demo, "/demo/outbox")["last"]
        asked = call_json(demo, "/demo/sms", {"from": person, "body": "TALK"})
        assert "finding a peer" in asked["messages"][0]
        (offer,) = texts_to("0193", before, "Reply TAKE")
        assert "0123" not in offer["body"]
        taken = call_json(demo, "/demo/sms", {"from": volunteer, "body": "TAKE"})
        assert "You're connected" in taken["messages"][0]
        texts_to("0123", before, "A peer is here")
        assert (
            call_json(demo, "/demo/sms", {"from": person, "body": "hello from the demo"})[
                "messages"
            ]
            == []
        )
        texts_to("0193", before, ": hello from the demo")
        call_json(demo, "/demo/sms", {"from": volunteer, "body": "hi, glad you wrote"})
        texts_to("0123", before, "hi, glad you wrote")
        call_json(demo, "/demo/sms", {"from": person, "body": "DONE"})

        sid = "CA" + "2" * 32
        call = call_json(demo, "/demo/voice", {"from": person, "path": "/voice", "call": sid})
        rung = call_json(demo, "/demo/voice", {"from": person, "path": call["gather"]["action"],
                                               "digits": "7", "call": sid})  # fmt: skip
        assert rung["dial"]["numbers"][0]["masked"] == "+1******0193"
        assert any("Calling a peer" in s["text"] for s in rung["says"])
        answered = call_json(demo, "/demo/voice/peer",
                             {"call": sid, "from": person, "outcome": "answer", "dial": rung["dial"]})  # fmt: skip
        heard = " ".join(s["text"] for s in answered["volunteer_heard"])
        assert "peer line" in heard and "Press 1" in heard and "Connecting" in heard
        assert answered["connected"] and answered["hangup"]
    finally:
        demo.stop()
