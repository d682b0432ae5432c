"""A lean stand-in for Twilio's Messages API, for benchmarks: asyncio, HTTP/1.1 keep-alive,
one process. It answers every create with 201 and a Message in Twilio's shape, and notes the
arrival time (time.time()) and the To of each create, so the benchmark can measure rates and
lateness where the carrier would see them. No faults, no auth check: tests/fake_twilio.py is
the faithful fake; this one only has to stay out of the way.

    python3 bench/lean_twilio.py PORT_FILE     # writes the port it listens on, then serves

GET /_arrivals returns [[time, to], ...], GET /_count how many; POST /_reset forgets them.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from email.utils import formatdate
from urllib.parse import parse_qs

ACCOUNT = "AC" + "0123456789abcdef" * 2
arrivals: list[tuple[float, str]] = []
_count = 0


def _message(form: dict[str, list[str]]) -> bytes:
    global _count
    _count += 1
    sid = f"SM{_count:032x}"
    now = formatdate(usegmt=True)
    to = form.get("To", [""])[0]
    body = form.get("Body", [""])[0]
    uri = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}"
    return json.dumps(
        {
            "account_sid": ACCOUNT,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From", [None])[0],
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
    ).encode()


def _response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                if line[:15].lower() == "content-length:":
                    length = int(line[15:].strip())
            payload = await reader.readexactly(length) if length else b""
            path = target.split("?", 1)[0]
            if method == "POST" and path.endswith("/Messages.json"):
                form = parse_qs(payload.decode())
                arrivals.append((time.time(), form.get("To", [""])[0]))
                out = _response("201 CREATED", _message(form))
            elif method == "GET" and path.endswith("/Messages.json"):
                out = _response(
                    "200 OK",
                    json.dumps(
                        {"messages": [], "next_page_uri": None, "page": 0, "page_size": 20}
                    ).encode(),
                )
            elif path == "/_count":
                out = _response("200 OK", str(len(arrivals)).encode())
            elif path == "/_arrivals":
                out = _response("200 OK", json.dumps(arrivals).encode())
            elif path == "/_reset":
                arrivals.clear()
                out = _response("200 OK", b"{}")
            else:
                out = _response("404 NOT FOUND", b'{"code": 20404, "status": 404}')
            writer.write(out)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port_file: str) -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    with open(port_file, "w") as out:
        out.write(str(port))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
