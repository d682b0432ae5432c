"""What the web app and workers share: settings, Redis, directory, places, clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import redis

from flows.model import Directory
from flows.occurrences import Timetable, timetable_window
from hrw_sms.base.config import Settings
from hrw_sms.base.connection import HeldScripts
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.meetings.places import ZipPlaces
from hrw_sms.store.identity import hash_key, number_id

Clock = Callable[[], datetime]


class Unwired(RuntimeError):
    """A Services callback was used but never connected: build Services with
    workers.wiring.build_services (an unwired callback must not silently do nothing)."""


def system_clock() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis
    clock: Clock = system_clock
    places: ZipPlaces = field(default_factory=ZipPlaces)
    on_schedule_change: Callable[[str], None] | None = None
    # (to, body, message_id, kind): hand a text to the workers' outbound path.
    outbox: Callable[[str, str, str, str], None] | None = None
    # (meeting slug, local date): an occurrence's hosting changed; plan what it needs now.
    on_hosting_change: Callable[[str, date], None] | None = None
    # The webhook's per-text scripts, on a connection held per process (hot path).
    scripts: HeldScripts = field(default_factory=HeldScripts)
    _hash_key: bytes | None = None
    _timetable: tuple[int, datetime, Timetable] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.directory = DirectoryStore(self.redis)

    def load_hash_key(self) -> bytes:
        """The number hash key (read once; ConfigError if it disagrees with Redis)."""
        if self._hash_key is None:
            self._hash_key = hash_key(self.redis, self.settings.number_hash_key)
        return self._hash_key

    def number_id(self, e164: str) -> str:
        """The keyed hash that stands for an E.164 number in every key (hrw_sms.store.identity)."""
        return number_id(self.load_hash_key(), e164)

    def schedule_changed(self, meeting_slug: str) -> None:
        """Something about a meeting's reminders changed: let the schedule know at once.
        Raises Unwired on a Services not made by workers.wiring.build_services."""
        if self.on_schedule_change is None:
            raise Unwired("on_schedule_change")
        self.on_schedule_change(meeting_slug)

    def send_later(self, to: str, body: str, message_id: str, kind: str = "reply") -> bool:
        """Queue a text for the workers (`kind`: reply, host, reminder or bulk); False when
        no outbound path is configured. Not an error: a caller asking "text me" is told we
        cannot send texts right now (hrw_sms.handlers.calls)."""
        if self.outbox is None:
            return False
        self.outbox(to, body, message_id, kind)
        return True

    def hosting_changed(self, meeting_slug: str, day: date) -> None:
        """A host answered (`day`: the occurrence's local date): plan what it needs now
        (cover requests, thanks). Raises Unwired on a Services not wired."""
        if self.on_hosting_change is None:
            raise Unwired("on_hosting_change")
        self.on_hosting_change(meeting_slug, day)

    def timetable(self, directory: Directory, now: datetime) -> Timetable:
        """Occurrences for the coming days; rebuilt when the directory or the hour changes."""
        start, end = timetable_window(now)
        cached = self._timetable
        if cached and cached[0] == directory.version and cached[1] == start:
            return cached[2]
        with self._lock:
            table = Timetable.build(directory, start, end)
            self._timetable = (directory.version, start, table)
        return table
