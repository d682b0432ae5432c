"""The demo's phone simulator: the page and its API. Registered only by `hrw-sms demo`.

Texts and calls from the page go through the real /sms and /voice webhooks (signed when a
token is set), so what the page shows is what Twilio would get."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from urllib.parse import urlsplit
from xml.etree import ElementTree

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from rq.registry import ScheduledJobRegistry

from hrw_sms.base.phone import BadNumber, mask, to_e164
from hrw_sms.demo import local_webhook
from hrw_sms.demo.local_carrier import outbox
from hrw_sms.demo.loopback import local_only
from hrw_sms.handlers.services import Services, system_clock
from hrw_sms.jobs import queues
from hrw_sms.jobs.scheduling import release_due


@dataclass
class DemoClock:
    """The demo's time: the real clock plus an offset the page can move forward."""

    offset: timedelta = timedelta(0)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self) -> datetime:
        return system_clock() + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the demo's clock forward by `delta` (a negative delta does nothing)."""
        with self._lock:
            self.offset += max(delta, timedelta(0))

    def reset(self) -> None:
        """Put the demo's clock back to the real time."""
        with self._lock:
            self.offset = timedelta(0)


@dataclass(frozen=True)
class Identity:
    label: str
    number: str
    role: str


def blueprint(clock: DemoClock, identities: list[Identity]) -> Blueprint:
    """The page and its API, answering loopback clients only (see hrw_sms.demo.loopback)."""
    bp = local_only(Blueprint("simulator", __name__))

    @bp.get("/")
    def page() -> Response:
        html = resources.files("hrw_sms.demo").joinpath("static", "simulator.html")
        if not html.is_file():
            return Response("The simulator page is not installed.", status=404)
        return Response(html.read_text(encoding="utf-8"), mimetype="text/html")

    @bp.get("/demo/identities")
    def who() -> Response:
        return jsonify(identities=[i.__dict__ for i in identities])

    @bp.post("/demo/sms")
    def sms() -> tuple[Response, int]:
        data = request.get_json(silent=True) or {}
        try:
            number = to_e164(str(data.get("from", "")))
        except BadNumber as exc:
            return jsonify(error=str(exc)), 400
        replies = local_webhook.text(
            current_app, number, str(data.get("body", "")), request.host_url
        )
        if replies is None:
            return jsonify(error="/sms refused the text"), 502
        return jsonify(messages=replies), 200

    @bp.post("/demo/voice")
    def voice() -> tuple[Response, int]:
        data = request.get_json(silent=True) or {}
        path = str(data.get("path") or "/voice")
        if not path.startswith("/voice"):
            return jsonify(error="path must be under /voice"), 400
        call = str(data.get("call") or "CA" + secrets.token_hex(16))
        params = {"CallSid": call, "From": str(data.get("from", "")), "To": "+14135550000",
                  "AccountSid": "AC" + "0" * 32, "CallStatus": "in-progress"}  # fmt: skip
        if data.get("digits"):
            params["Digits"] = str(data["digits"])
        if data.get("speech"):
            params["SpeechResult"] = str(data["speech"])
        answer = local_webhook.post(current_app, path, params, request.host_url)
        if answer.status_code != 200:
            return jsonify(error=f"{path} answered {answer.status_code}"), 502
        return jsonify(**_spoken(answer.data)), 200

    @bp.post("/demo/voice/peer")
    def peer_line() -> tuple[Response, int]:
        """The simulator plays Twilio and the volunteer's phone for a <Dial>: `outcome`
        "answer" answers the first number, hears the whisper and presses 1 (then the call is
        hung up, as after a talk); "no-answer" lets it ring out. Then the Dial's action."""
        data = request.get_json(silent=True) or {}
        call = str(data.get("call") or "")
        dial = data.get("dial") or {}
        action, numbers = str(dial.get("action") or ""), dial.get("numbers") or []
        if not call or not action.startswith("/voice/peer/") or not isinstance(numbers, list):
            return jsonify(error="call and dial (from the last answer) are needed"), 400
        heard: list[dict] = []
        status = "no-answer"
        if data.get("outcome") == "answer" and numbers:
            first = numbers[0]
            leg = {"CallSid": "CA" + secrets.token_hex(16), "ParentCallSid": call,
                   "AccountSid": "AC" + "0" * 32, "From": "+14135550000",
                   "To": str(first.get("number", "")), "CallStatus": "in-progress"}  # fmt: skip
            whisper = local_webhook.post(
                current_app, _path(str(first.get("whisper"))), leg, request.host_url
            )
            spoken = _spoken(whisper.data)
            heard += spoken["says"]
            if spoken["gather"]:
                taken = local_webhook.post(
                    current_app,
                    spoken["gather"]["action"],
                    {**leg, "Digits": "1"},
                    request.host_url,
                )
                heard += _spoken(taken.data)["says"]
                status = "completed"
        params = {"CallSid": call, "From": str(data.get("from", "")), "To": "+14135550000",
                  "AccountSid": "AC" + "0" * 32, "DialCallStatus": status}  # fmt: skip
        answer = local_webhook.post(current_app, action, params, request.host_url)
        if answer.status_code != 200:
            return jsonify(error=f"{action} answered {answer.status_code}"), 502
        return jsonify(volunteer_heard=heard, connected=status == "completed",
                       **_spoken(answer.data)), 200  # fmt: skip

    @bp.get("/demo/outbox")
    def sent() -> Response:
        after = request.args.get("after", default=0, type=int)
        services: Services = current_app.extensions["hrw"]
        texts = [
            {"n": m.get("n", 0), "to": mask(m["to"]), "to_number": m["to"], "body": m["body"],
             "at": m.get("date_created")}
            for m in reversed(outbox(services.redis))
            if m.get("n", 0) > after
        ]  # fmt: skip
        return jsonify(texts=texts, last=max([after, *[t["n"] for t in texts]]))

    @bp.get("/demo/clock")
    def show_clock() -> Response:
        return jsonify(**_clock_state(clock))

    @bp.post("/demo/clock")
    def move_clock() -> Response:
        data = request.get_json(silent=True) or {}
        if data.get("reset"):
            clock.reset()
        elif data.get("to_next_due"):
            due = next_due(current_app.extensions["hrw"].redis)
            if due is not None:
                clock.advance(due - clock())
        else:
            minutes = data.get("advance_minutes", 0)
            if not isinstance(minutes, int | float) or not 0 <= minutes <= 7 * 24 * 60:
                return jsonify(error="advance_minutes must be 0 to 10080"), 400
            clock.advance(timedelta(minutes=minutes))
        released = release_due(current_app.extensions["hrw"].redis, clock())
        return jsonify(**_clock_state(clock), released=released)

    return bp


def _spoken(xml: bytes) -> dict:
    """What a voice answer says and offers, in the order a caller hears it."""
    root = ElementTree.fromstring(xml)
    says = [{"text": "".join(e.itertext()).strip(), "language": e.get("language", "en-US")}
            for e in root.iter("Say")]  # fmt: skip
    gather = root.find(".//Gather")
    redirect = root.find(".//Redirect")
    return {
        "says": says,
        "gather": None if gather is None else {
            "action": _path(gather.get("action", "")),
            "num_digits": int(gather.get("numDigits", "1") or 1),
            "input": gather.get("input", "dtmf"),
        },
        "redirect": None if redirect is None else _path(redirect.text or ""),
        "hangup": root.find(".//Hangup") is not None,
        "dial": _dial(root),
    }  # fmt: skip


def _dial(root: ElementTree.Element) -> dict | None:
    """A <Dial> of the peer line: where its outcome goes, and each number rung (masked for
    the page, with its whisper URL)."""
    dial = root.find(".//Dial")
    if dial is None:
        return None
    numbers = [
        {"number": (n.text or "").strip(), "masked": mask((n.text or "").strip()),
         "whisper": _path(n.get("url", ""))}
        for n in dial.iter("Number")
    ]  # fmt: skip
    return {"action": _path(dial.get("action", "")), "numbers": numbers}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def next_due(client) -> datetime | None:
    """When the next reminder, prompt or deferred text is scheduled (the minute tick aside)."""
    soonest: float | None = None
    for name in queues.ORDER:
        registry = ScheduledJobRegistry(name, connection=client)
        for job_id, score in client.zrange(registry.key, 0, 50, withscores=True):
            if job_id.decode().startswith("tick-"):
                continue
            soonest = score if soonest is None else min(soonest, score)
            break
    return datetime.fromtimestamp(soonest, UTC) if soonest is not None else None


def _clock_state(clock: DemoClock) -> dict:
    due = next_due(current_app.extensions["hrw"].redis)
    return {
        "now": clock().astimezone().isoformat(timespec="seconds"),
        "offset_minutes": round(clock.offset.total_seconds() / 60, 1),
        "next_due": due.isoformat() if due else None,
    }


def register(app: Flask, clock: DemoClock, identities: list[Identity]) -> None:
    """Add the simulator page and its API (the phones, the clock) to `app`."""
    app.register_blueprint(blueprint(clock, identities))
