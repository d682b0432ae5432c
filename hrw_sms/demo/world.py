"""The embedded default: everything `hrw-sms demo` needs, with nothing installed or configured."""

from __future__ import annotations

import logging
import shlex
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

import redis
from twilio.request_validator import RequestValidator
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from flows.occurrences import next_occurrence
from flows.peer import Shift
from hrw_sms.base.config import Settings
from hrw_sms.base.phone import mask
from hrw_sms.demo.local_carrier import PREFIX
from hrw_sms.demo.simulator import Identity
from hrw_sms.jobs.scheduling import release_due
from hrw_sms.meetings.directory import DirectoryStore, ImportSummary
from hrw_sms.meetings.feed import example_feed
from hrw_sms.store import coordinators, hosts, volunteers
from workers.host_plans import plan_occurrence

log = logging.getLogger(__name__)

DEMO_NUMBER = "+14135550123"
# The demo's workers "send" through the local carrier with these made-up credentials.
DEMO_ACCOUNT_SID = "AC" + "0" * 32
DEMO_API_TOKEN = "demo-local-carrier"
DEMO_SENDER = "+14135550000"


@dataclass(frozen=True)
class CurlLine:
    url: str
    params: dict[str, str]
    signature: str | None

    def __str__(self) -> str:
        parts = ["curl", "-s", "-X", "POST", self.url]
        for name, value in self.params.items():
            parts += ["--data-urlencode", f"{name}={value}"]
        if self.signature:
            parts += ["-H", f"X-Twilio-Signature: {self.signature}"]
        return " ".join(shlex.quote(p) for p in parts)


def load_examples(directory: DirectoryStore) -> ImportSummary:
    """Load the bundled example meetings (idempotent: a second run changes nothing)."""
    return directory.import_feed(example_feed())


def curl_line(settings: Settings, local_url: str, body: str = "MEETINGS") -> CurlLine:
    """A ready curl command that texts `body` to the local service, signed when a token is set."""
    params = {"From": DEMO_NUMBER, "Body": body}
    signature = None
    if settings.twilio_auth_token:
        signed_for = (settings.public_url or local_url) + "/sms"
        signature = RequestValidator(settings.twilio_auth_token).compute_signature(
            signed_for, params
        )
    return CurlLine(local_url + "/sms", params, signature)


def worker_settings(settings: Settings, local_url: str) -> Settings:
    """Send through the local carrier unless a real Twilio API is configured."""
    if settings.twilio_api_base or settings.twilio_account_sid:
        return settings
    return replace(
        settings,
        twilio_account_sid=DEMO_ACCOUNT_SID,
        twilio_auth_token=DEMO_API_TOKEN,
        twilio_from_number=settings.twilio_from_number or DEMO_SENDER,
        twilio_api_base=local_url + PREFIX,
    )


def show_text(echo: Callable[[str], None]) -> Callable[[Mapping], None]:
    """Print each text the local carrier receives: the demo's window on outbound texts."""

    def show(message: Mapping) -> None:
        echo(f"\n[demo outbox] to {mask(message['to'])}:\n{message['body']}\n")

    return show


class PlainRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without colours in its access line: the log formatter escapes
    every control character (hrw_sms.base.logs), so ANSI colours would show as `\x1b[33m`."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log one access line with the request line as received (percent-encoding intact)."""
        line = getattr(self, "requestline", "")  # as received: percent-encoding intact
        self.log("info", '"%s" %s %s', line, code, size)


def serve_in_background(app, host: str, port: int) -> BaseWSGIServer:
    """Serve `app` on host:port from a daemon thread; the server, to shut down. OSError if the
    port is taken."""
    server = make_server(host, port, app, threaded=True, request_handler=PlainRequestHandler)
    threading.Thread(target=server.serve_forever, name="demo-web", daemon=True).start()
    return server


def release_scheduled(client: redis.Redis, clock: Callable[[], datetime], stop: threading.Event):
    """Move due scheduled jobs onto their queues each second (works with fakeredis too)."""

    def loop() -> None:
        while not stop.wait(1.0):
            try:
                release_due(client, clock())
            except redis.exceptions.RedisError:
                log.warning("demo scheduler: Redis not answering; trying again")

    thread = threading.Thread(target=loop, name="demo-scheduler", daemon=True)
    thread.start()
    return thread


# Example people for the simulator: made-up 555-01xx numbers, clearly not real ones.
DEMO_GROUP = "example-hrw-northampton"
DEMO_COORDINATOR = "+14135550190"
DEMO_HOSTS = ("+14135550191", "+14135550192")
DEMO_VOLUNTEER = "+14135550193"  # on the peer line's shift around the clock


def set_up_people(services) -> list:
    """Example host and coordinator roles (idempotent), and the identities the page offers."""
    people = [
        Identity("Participant (example)", DEMO_NUMBER, "participant"),
        Identity("Participant who writes in Spanish (example)", "+14135550124", "participant"),
    ]
    directory = services.directory.load()
    group = directory.groups.get(DEMO_GROUP)
    if group is None:  # examples not loaded: participants only
        return people
    client = services.redis
    coordinators.add(client, services.number_id(DEMO_COORDINATOR), DEMO_COORDINATOR, DEMO_GROUP)
    people.append(Identity(f"Coordinator of {group.name}", DEMO_COORDINATOR, "coordinator"))
    for i, number in enumerate(DEMO_HOSTS, start=1):
        hosts.add_host(client, services.number_id(number), number, DEMO_GROUP)
        people.append(Identity(f"Host {i} of {group.name}", number, "host"))
    _volunteer_around_the_clock(services)
    people.append(
        Identity("Peer-line volunteer (example, always on shift)", DEMO_VOLUNTEER, "volunteer")
    )
    _assign_next(services, directory, plan_occurrence)
    return people


def _assign_next(services, directory, plan_occurrence) -> None:
    """Put host 1 on the roster for the group's next meeting, unless someone already is."""
    now = services.clock()
    coming = [
        occ
        for m in directory.meetings.values()
        if m.group == DEMO_GROUP
        for occ in [next_occurrence(m, now + timedelta(hours=3), directory)]
        if occ is not None
    ]
    if not coming:
        return
    occ = min(coming, key=lambda o: o.start)
    if hosts.hosting_of(services.redis, occ.meeting.slug, occ.local_date) is None:
        host = services.number_id(DEMO_HOSTS[0])
        hosts.assign(services.redis, directory, occ.meeting.slug, occ.local_date, host, now)
        plan_occurrence(services, occ.meeting.slug, occ.local_date)


def _volunteer_around_the_clock(services) -> None:
    """The example volunteer, on shift every day from midnight to midnight (idempotent), so
    a TALK text or a call's 7 reaches them whenever the demo runs."""
    nid = services.number_id(DEMO_VOLUNTEER)
    volunteers.add(services.redis, nid, DEMO_VOLUNTEER, DEMO_GROUP)
    for day in range(7):
        volunteers.add_shift(services.redis, DEMO_GROUP, Shift(nid, day, time(0), time(0)))
