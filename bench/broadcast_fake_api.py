"""A lean stand-in for Twilio's Messages API for the broadcast benchmark: asyncio, HTTP/1.1
keep-alive, one process, loopback only. It makes a message for every create (201, a Message
in Twilio's shape), lists a number's messages newest first (what a worker asks after a send
in doubt), and keeps each create's arrival time, To and Body so the benchmark can count
copies per recipient and rates where the carrier would see them. No faults and no auth
check: tests/fake_twilio.py is the faithful fake; this one has to stay out of the way.

    python3 bench/broadcast_fake_api.py PORT_FILE    # writes its port there, then serves

GET /_count: how many creates; GET /_arrivals: [[time.time(), to, body index], ...] and the
bodies; POST /_reset forgets everything.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

ACCOUNT = "AC" + "0123456789abcdef" * 2
_sids = itertools.count(1)
arrivals: list[tuple[float, str, int]] = []
bodies: dict[str, int] = {}
by_to: dict[str, list[dict]] = {}  # number -> its messages, oldest first


def _message(to: str, sender: str | None, body: str) -> dict:
    sid = f"SM{next(_sids):032x}"
    now = formatdate(usegmt=True)
    uri = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}"
    return {
        "account_sid": ACCOUNT,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": sender,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }


def _answer(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


def _handle(method: str, target: str, payload: bytes) -> bytes:
    url = urlsplit(target)
    if method == "POST" and url.path.endswith("/Messages.json"):
        form = {k: v[0] for k, v in parse_qs(payload.decode(), keep_blank_values=True).items()}
        to, body = form.get("To", ""), form.get("Body", "")
        index = bodies.setdefault(body, len(bodies))
        arrivals.append((time.time(), to, index))
        message = _message(to, form.get("From"), body)
        by_to.setdefault(to, []).append(message)
        return _answer("201 Created", json.dumps(message).encode())
    if method == "GET" and url.path.endswith("/Messages.json"):
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        size = min(1000, max(1, int(query.get("PageSize", "50"))))
        found = list(reversed(by_to.get(query.get("To", ""), [])))[:size]
        page = {
            "messages": found,
            "end": len(found) - 1,
            "first_page_uri": url.path,
            "next_page_uri": None,
            "page": 0,
            "page_size": size,
            "previous_page_uri": None,
            "start": 0,
            "uri": url.path,
        }
        return _answer("200 OK", json.dumps(page).encode())
    if method == "GET" and url.path == "/_count":
        return _answer("200 OK", str(len(arrivals)).encode())
    if method == "GET" and url.path == "/_arrivals":
        order = sorted(bodies, key=bodies.__getitem__)
        return _answer("200 OK", json.dumps({"arrivals": arrivals, "bodies": order}).encode())
    if method == "POST" and url.path == "/_reset":
        arrivals.clear()
        bodies.clear()
        by_to.clear()
        return _answer("200 OK", b"{}")
    return _answer("404 Not Found", b'{"code": 20404, "status": 404}')


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            payload = await reader.readexactly(length) if length else b""
            writer.write(_handle(method, target, payload))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port_file: str) -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0, backlog=256)
    port = server.sockets[0].getsockname()[1]
    with open(port_file, "w") as out:
        out.write(str(port))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
