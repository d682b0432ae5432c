"""A local HTTP server that publishes a Meeting Guide feed the way group websites do: with an
ETag and Last-Modified, answering 304 to a matching conditional request. Tests change its
body, make it fail (HTTP 500, a dropped connection, a slow answer) and let it recover."""

from __future__ import annotations

import hashlib
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


class FeedServer:
    """Serves `body` at any path; `mode` is "ok", "500", "drop", "slow" or "trickle" (the
    body one byte every `trickle_seconds`, as a server under attack or stuck might)."""

    def __init__(self, body: str = "[]", validators: bool = True) -> None:
        self.body = body
        self.mode = "ok"
        self.trickle_seconds = 0.2
        self.validators = validators  # False: a server that sends no ETag / Last-Modified
        self.requests: list[dict[str, str | int]] = []  # method, path, status, headers seen
        self._modified = time.time()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/meetings.json"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, body: str) -> None:
        """A new version of the feed (a new ETag and Last-Modified)."""
        with self._lock:
            self.body = body
            self._modified = time.time() + 1  # a later second than any earlier version

    def statuses(self) -> list[int]:
        return [int(r["status"]) for r in self.requests]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            body, mode, modified = self.body.encode(), self.mode, self._modified
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        seen = {
            "if_none_match": handler.headers.get("If-None-Match", ""),
            "if_modified_since": handler.headers.get("If-Modified-Since", ""),
        }
        if mode == "drop":
            self.requests.append({"status": 0, **seen})
            handler.close_connection = True
            handler.connection.close()
            return
        if mode == "slow":
            time.sleep(3)
        if mode == "500":
            status = 500
        elif self.validators and seen["if_none_match"] == etag:
            status = 304
        else:
            status = 200
        self.requests.append({"status": status, **seen})
        handler.send_response(status)
        if self.validators:
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", formatdate(modified, usegmt=True))
        if status == 200:
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if mode == "trickle":
                for i in range(len(body)):
                    try:
                        handler.wfile.write(body[i : i + 1])
                        handler.wfile.flush()
                    except OSError:
                        return  # the client gave up
                    time.sleep(self.trickle_seconds)
                return
            handler.wfile.write(body)
        else:
            handler.send_header("Content-Length", "0")
            handler.end_headers()

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
