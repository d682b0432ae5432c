"""A local fake of Twilio's Messages REST API, with faults the tests can script."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from flows.gsm import segments

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-twilio-token-0123456789abcdef"
API_VERSION = "2010-04-01"

# Twilio's own wording for the codes the tests use.
MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
PERMANENT_STATUS = {21211: 400, 21610: 400, 21614: 400}
E164 = re.compile(r"\+[1-9]\d{7,14}")


@dataclass(frozen=True)
class Recorded:
    """One request the fake received, and how it answered."""

    method: str
    path: str
    to: str | None
    from_: str | None
    messaging_service_sid: str | None
    body: str | None
    status_callback: str | None
    time: float  # time.monotonic() on arrival
    status: int = 0  # HTTP status answered (0 while still being answered)
    sid: str | None = None


def error_body(code: int, status: int, message: str | None = None) -> dict:
    """Twilio's error document: code, message, more_info, status."""
    return {
        "code": code,
        "message": message or MESSAGES.get(code, "Error"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: object) -> None:
        pass  # request lines would carry phone numbers into the test output


class FakeTwilio:
    """werkzeug server on 127.0.0.1, port 0, in a thread; use as a context manager."""

    def __init__(
        self,
        account_sid: str = ACCOUNT_SID,
        auth_token: str = AUTH_TOKEN,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[Recorded] = []
        self._messages: dict[str, dict] = {}  # sid -> Message JSON, newest last
        self._callbacks: dict[str, str] = {}  # sid -> StatusCallback URL
        self._number_errors: dict[str, int] = {}
        self._storm_count = 0
        self._storm_until = 0.0
        self._server_errors: list[int] = []
        self._delays: list[tuple[float, bool]] = []  # (seconds, create the message first?)
        base = f"/{API_VERSION}/Accounts/<account>"
        self._urls = Map(
            [
                Rule(f"{base}/Messages.json", methods=["POST"], endpoint="create"),
                Rule(f"{base}/Messages.json", methods=["GET"], endpoint="list"),
                Rule(f"{base}/Messages/<sid>.json", methods=["GET"], endpoint="fetch"),
            ]
        )
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> FakeTwilio:
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        # A short poll interval keeps stop() (shutdown) quick between tests.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # cut any scripted delay short
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_port}"

    # --- what happened ---

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    def sends(self, to: str | None = None) -> list[Recorded]:
        """Create requests that made a message (whatever the client saw), optionally to one number."""
        return [
            r
            for r in self.requests
            if r.sid is not None and r.method == "POST" and (to is None or r.to == to)
        ]

    def attempts(self, to: str | None = None) -> list[Recorded]:
        """Every create request, answered or not, optionally to one number."""
        return [r for r in self.requests if r.method == "POST" and (to is None or r.to == to)]

    @property
    def messages(self) -> list[dict]:
        with self._lock:
            return list(self._messages.values())

    # --- faults ---

    def fail_number(self, to: str, code: int) -> None:
        """Answer every send to `to` with a permanent error (21610, 21211, 21614, ...)."""
        with self._lock:
            self._number_errors[to] = code

    def rate_limit(self, count: int = 0, seconds: float = 0.0) -> None:
        """A 429 storm: the next `count` requests, and every request for `seconds`, get 20429."""
        with self._lock:
            self._storm_count = count
            self._storm_until = time.monotonic() + seconds if seconds else 0.0

    def server_errors(self, count: int, status: int = 500) -> None:
        """The next `count` requests get a 500 or 503 in Twilio's error shape."""
        with self._lock:
            self._server_errors.extend([status] * count)

    def delay(self, seconds: float, count: int = 1, create: bool = True) -> None:
        """Hold the next `count` answers. create=True: the message exists anyway (the hard case
        for a client that timed out); create=False: the request is lost before Twilio acts."""
        with self._lock:
            self._delays.extend([(seconds, create)] * count)

    def reset_faults(self) -> None:
        with self._lock:
            self._number_errors.clear()
            self._storm_count = 0
            self._storm_until = 0.0
            self._server_errors.clear()
            self._delays.clear()

    def status_callback(
        self, sid: str, status: str, error_code: int | None = None
    ) -> tuple[str, dict[str, str]]:
        """The URL and form Twilio would POST for a status change of message `sid` (unsigned)."""
        with self._lock:
            message = dict(self._messages[sid])
            callback = self._callbacks.get(sid)
        if callback is None:
            raise LookupError(f"message {sid} was sent without a StatusCallback")
        form = {
            "AccountSid": self.account_sid,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": message["to"],
            "ApiVersion": API_VERSION,
        }
        if message.get("from"):
            form["From"] = message["from"]
        if error_code is not None:
            form["ErrorCode"] = str(error_code)
        return callback, form

    # --- the WSGI app ---

    def _wsgi(self, environ: dict, start_response: Callable) -> Iterator[bytes]:
        request = Request(environ)
        try:
            endpoint, args = self._urls.bind_to_environ(environ).match()
        except HTTPException as exc:
            code = exc.code or 404
            response = _json(error_body(20404, code) if code == 404 else {"status": code}, code)
            return response(environ, start_response)
        response = getattr(self, f"_{endpoint}")(request, **args)
        return response(environ, start_response)

    def _authorised(self, request: Request, account: str) -> bool:
        auth = request.authorization
        return bool(
            auth
            and auth.type == "basic"
            and auth.username == self.account_sid
            and auth.password == self.auth_token
            and account == self.account_sid
        )

    def _record(self, request: Request) -> int:
        form = request.form
        entry = Recorded(
            method=request.method,
            path=request.path,
            to=form.get("To"),
            from_=form.get("From"),
            messaging_service_sid=form.get("MessagingServiceSid"),
            body=form.get("Body"),
            status_callback=form.get("StatusCallback"),
            time=time.monotonic(),
        )
        with self._lock:
            self._requests.append(entry)
            return len(self._requests) - 1

    def _answered(self, index: int, status: int, sid: str | None = None) -> None:
        with self._lock:
            old = self._requests[index]
            self._requests[index] = Recorded(**{**old.__dict__, "status": status, "sid": sid})

    def _scripted_fault(self) -> tuple[int, int] | None:
        """(HTTP status, Twilio code) for a 429 storm or a scripted 5xx, else None."""
        with self._lock:
            if self._storm_count > 0 or time.monotonic() < self._storm_until:
                self._storm_count = max(0, self._storm_count - 1)
                return 429, 20429
            if self._server_errors:
                status = self._server_errors.pop(0)
                return status, 20500 if status == 500 else 20503
        return None

    def _create(self, request: Request, account: str) -> Response:
        index = self._record(request)

        def answer(body: dict, status: int, sid: str | None = None) -> Response:
            self._answered(index, status, sid)
            return _json(body, status)

        if not self._authorised(request, account):
            return answer(error_body(20003, 401), 401)
        fault = self._scripted_fault()
        if fault:
            return answer(error_body(fault[1], fault[0]), fault[0])
        with self._lock:
            delay = self._delays.pop(0) if self._delays else None
        if delay and not delay[1]:
            self._stopping.wait(delay[0])  # lost before Twilio acted: nothing is created
            return answer(error_body(20500, 500), 500)
        form = request.form
        to, sender = form.get("To"), form.get("From")
        service, body = form.get("MessagingServiceSid"), form.get("Body")
        if not to:
            return answer(error_body(21604, 400), 400)
        if not sender and not service:
            return answer(error_body(21603, 400), 400)
        if not body:
            return answer(error_body(21602, 400), 400)
        if len(body) > 1600:
            return answer(error_body(21617, 400), 400)
        with self._lock:
            code = self._number_errors.get(to)
        if code is None and not E164.fullmatch(to):
            code = 21211
        if code is not None:
            message = (
                f"The 'To' number {to} is not a valid phone number." if code == 21211 else None
            )
            status = PERMANENT_STATUS.get(code, 400)
            return answer(error_body(code, status, message), status)
        message = self._new_message(to, sender, service, body)
        with self._lock:
            self._messages[message["sid"]] = message
            if form.get("StatusCallback"):
                self._callbacks[message["sid"]] = form["StatusCallback"]
        if delay:
            # The message exists, but the client hears nothing in time.
            self._answered(index, 0, message["sid"])
            self._stopping.wait(delay[0])
        return answer(message, 201, message["sid"])

    def _new_message(self, to: str, sender: str | None, service: str | None, body: str) -> dict:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(self.clock().astimezone(UTC), usegmt=False)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": to,
            "uri": f"{uri}.json",
        }

    def _list(self, request: Request, account: str) -> Response:
        if not self._authorised(request, account):
            return _json(error_body(20003, 401), 401)
        to, sender = request.args.get("To"), request.args.get("From")
        size = min(1000, max(1, int(request.args.get("PageSize", "50"))))
        with self._lock:
            found = [
                m
                for m in reversed(self._messages.values())  # Twilio lists newest first
                if (to is None or m["to"] == to) and (sender is None or m["from"] == sender)
            ]
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json?PageSize={size}&Page=0"
        return _json(
            {
                "messages": found[:size],
                "end": min(size, len(found)) - 1,
                "first_page_uri": uri,
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": uri,
            },
            200,
        )

    def _fetch(self, request: Request, account: str, sid: str) -> Response:
        if not self._authorised(request, account):
            return _json(error_body(20003, 401), 401)
        with self._lock:
            message = self._messages.get(sid)
        if message is None:
            return _json(error_body(20404, 404), 404)
        return _json(message, 200)


def _json(body: dict, status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
