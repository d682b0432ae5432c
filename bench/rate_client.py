"""A lean HTTP load generator for the benchmark: raw sockets on one epoll loop, Linux only.

Open loop (`--rate R`): request i is due at start + i/R whatever happened before it, and
its latency is counted from when it was due, so a stall of the server is not hidden by the
client waiting for it (no coordinated omission; what wrk2 does, which Debian does not ship).
Closed loop (`--connections N`, no rate): N requests in flight back to back, a fallback for
machines without `wrk`.

One new connection per request, as gunicorn's sync workers close every connection anyway;
the client waits for the server to close, so TIME_WAIT stays on the server's side. Reads
the request file bench/traffic.py writes ("signature<TAB>body" lines), sends each line at
most once, and prints one JSON object. A request counts as done when its whole response
(Content-Length) is in.
"""

from __future__ import annotations

import argparse
import errno
import json
import resource
import select
import socket
import sys
import time

IN, OUT, ERR = select.EPOLLIN, select.EPOLLOUT, select.EPOLLERR | select.EPOLLHUP
TIMEOUT = 5.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    return {
        "mean": sum(ordered) / len(ordered),
        "p50": at(50),
        "p90": at(90),
        "p99": at(99),
        "p999": at(99.9),
        "max": ordered[-1],
    }


def response_status(buffer: bytearray) -> int | None:
    """The status code once the whole response is in buffer, else None."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).decode("latin-1")
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if len(buffer) < end + 4 + length:
        return None
    return int(head.split(" ", 2)[1])


class Exchange:
    __slots__ = ("buffer", "done", "due", "payload", "sent", "sock", "status", "written")

    def __init__(self, payload: bytes, due: float) -> None:
        self.payload, self.due = payload, due
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.buffer = bytearray()
        self.written = 0
        self.sent = 0.0
        self.status: int | None = None
        self.done = 0.0


class Client:
    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.poll = select.epoll()
        self.open: dict[int, Exchange] = {}
        self.latency: list[float] = []  # from when due (open loop) or sent (closed loop)
        self.service: list[float] = []  # from when the connection was opened
        self.lag: list[float] = []  # how late the client was in opening it
        self.statuses: dict[str, int] = {}
        self.errors = 0

    def start(self, payload: bytes, due: float) -> None:
        ex = Exchange(payload, due)
        ex.sent = time.monotonic()
        code = ex.sock.connect_ex(self.address)
        if code not in (0, errno.EINPROGRESS):
            ex.sock.close()
            self.errors += 1
            return
        self.open[ex.sock.fileno()] = ex
        self.poll.register(ex.sock.fileno(), OUT | ERR)

    def _finish(self, fd: int, ex: Exchange, ok: bool) -> None:
        self.poll.unregister(fd)
        ex.sock.close()
        del self.open[fd]
        if not ok or ex.status is None:
            self.errors += 1
            return
        key = str(ex.status)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        self.latency.append(ex.done - ex.due)
        self.service.append(ex.done - ex.sent)
        self.lag.append(ex.sent - ex.due)

    def step(self, timeout: float) -> int:
        """Handle socket events for up to `timeout` s; return how many exchanges ended."""
        ended = 0
        for fd, events in self.poll.poll(timeout):
            ex = self.open[fd]
            try:
                if events & OUT:
                    ex.written += ex.sock.send(ex.payload[ex.written :])
                    if ex.written == len(ex.payload):
                        self.poll.modify(fd, IN | ERR)
                    continue
                if events & (IN | ERR):
                    data = ex.sock.recv(65536)
                    if data and ex.status is None:
                        ex.buffer += data
                        ex.status = response_status(ex.buffer)
                        if ex.status is not None:
                            ex.done = time.monotonic()
                    if not data or events & ERR:  # the server closed: we are done with it
                        self._finish(fd, ex, ex.status is not None)
                        ended += 1
            except OSError:
                self._finish(fd, ex, False)
                ended += 1
        return ended

    def expire(self, now: float) -> None:
        for fd, ex in list(self.open.items()):
            if now - ex.sent > TIMEOUT:
                if ex.status is not None:  # answered, but the server kept the connection
                    self._finish(fd, ex, True)
                else:
                    self._finish(fd, ex, False)


def open_loop(client: Client, payloads: list[bytes], rate: float, duration: float, cap: int):
    count = min(len(payloads), int(rate * duration))
    if count < int(rate * duration):
        print("rate_client: not enough requests in the file for the run", file=sys.stderr)
    skipped = 0
    start = time.monotonic() + 0.05
    i = 0
    last_expiry = start
    while i < count:
        now = time.monotonic()
        while i < count and start + i / rate <= now:
            if len(client.open) >= cap:  # the server is far behind: give up on this one
                skipped += 1
            else:
                client.start(payloads[i], start + i / rate)
            i += 1
        if i < count:
            client.step(max(0.0, start + i / rate - time.monotonic()))
        if now - last_expiry > 1:
            client.expire(now)
            last_expiry = now
    deadline = time.monotonic() + TIMEOUT + 1
    while client.open and time.monotonic() < deadline:
        client.step(0.05)
        client.expire(time.monotonic())
    return count, skipped


def closed_loop(client: Client, payloads: list[bytes], connections: int, duration: float):
    deadline = time.monotonic() + duration
    position = 0
    while time.monotonic() < deadline:
        while len(client.open) < connections and position < len(payloads):
            now = time.monotonic()
            client.start(payloads[position], now)
            position += 1
        if position >= len(payloads) and not client.open:
            print("rate_client: ran out of requests before the end of the run", file=sys.stderr)
            break
        client.step(0.05)
        client.expire(time.monotonic())
    while client.open:  # let the last ones finish; they are counted
        client.step(0.05)
        client.expire(time.monotonic())
    return position, 0


def load(path: str, host: str, port: int) -> list[bytes]:
    payloads = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            signature, _, body = line.rstrip("\n").partition("\t")
            data = body.encode()
            head = (
                f"POST /sms HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-Twilio-Signature: {signature}\r\nUser-Agent: TwilioProxy/1.1\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            )
            payloads.append(head.encode() + data)
    return payloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--rate", type=float, help="requests per second (open loop)")
    parser.add_argument("--connections", type=int, default=8, help="closed loop only")
    parser.add_argument("--max-inflight", type=int, default=256)
    args = parser.parse_args()
    payloads = load(args.file, args.host, args.port)
    client = Client(args.host, args.port)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    wall0 = time.monotonic()
    if args.rate:
        attempted, skipped = open_loop(
            client, payloads, args.rate, args.duration, args.max_inflight
        )
    else:
        attempted, skipped = closed_loop(client, payloads, args.connections, args.duration)
    wall = time.monotonic() - wall0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    done = len(client.latency)
    # Requests never answered (errors, not sent for the in-flight limit) count as TIMEOUT in
    # the open-loop percentiles: leaving them out would flatter an overloaded server.
    unanswered = client.errors + skipped if args.rate else 0
    result = {
        "mode": "open" if args.rate else "closed",
        "rate": args.rate,
        "connections": None if args.rate else args.connections,
        "attempted": attempted,
        "completed": done,
        "seconds": wall,
        # Open loop: completed per second of the schedule (the drain at the end not counted).
        "requests_per_s": done / (attempted / args.rate if args.rate else wall) if wall else 0.0,
        "statuses": client.statuses,
        "errors": client.errors,
        "skipped": skipped,
        "unanswered": unanswered,
        "latency_s": percentiles(client.latency + [TIMEOUT] * unanswered),
        "service_s": percentiles(client.service),
        "send_lag_s": percentiles(client.lag) if args.rate else {},
        "cpu_s": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
