"""The directory in Redis: the only code that reads or writes the directory keys.

Every change runs in one MULTI/EXEC with the version watched and bumped, so readers
either see all of a change or none of it, and a cached Directory is valid exactly as
long as the version it was read at.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, time
from typing import Any, TypeVar

import redis
from redis.client import Pipeline

from flows.gsm import dropped, mostly_dropped, to_gsm
from flows.model import LANGUAGES, Directory, Group, Meeting, OccurrenceId
from flows.occurrences import is_timezone
from hrw_sms.meetings.feed import (
    appointment_count,
    exportable,
    group_slug,
    meeting_to_feed,
    parse_feed,
    spec_phone,
)
from hrw_sms.store import keys

T = TypeVar("T")

# Welcome and agreements texts are sent by SMS: 400 characters stays within 3 segments
# in GSM-7 with room for the group name and the opt-out line.
MAX_TEXT = 400
KINDS = ("open", "focused")
SHOW_GROUPS = 8  # new groups named in an import's one-line summary

Write = Callable[[Pipeline], None]


class DirectoryError(ValueError):
    """A change the directory refuses; the message says why in one line."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed (or, in a dry run, would change)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    dry_run: bool = False
    by_appointment: int = 0  # meetings in the feed with no weekly day and time

    @property
    def changed(self) -> bool:
        """True when the import added, updated or removed a meeting, or created a group."""
        return bool(self.added or self.updated or self.removed or self.groups_created)

    def describe(self) -> str:
        """One line for an operator."""
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )
        groups = ""
        if self.groups_created:
            shown = ", ".join(self.groups_created[:SHOW_GROUPS])
            more = len(self.groups_created) - SHOW_GROUPS
            groups = f"; new groups: {shown}" + (f" and {more} more" if more > 0 else "")
        note = " (dry run: nothing was changed)" if self.dry_run else ""
        appointment = f"; {self.by_appointment} by appointment" if self.by_appointment else ""
        return f"meetings: {counts}{appointment}{groups}{note}"


# --- stored shapes ---


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in data.items() if v is not None},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def group_to_json(group: Group) -> str:
    """The stored JSON of a group (its slug is the hash field)."""
    data = asdict(group)
    del data["slug"]  # the hash field
    return _dumps(data)


def group_from_json(slug: str, text: str) -> Group:
    """A group from its stored JSON."""
    return Group(slug=slug, **json.loads(text))


def meeting_to_json(meeting: Meeting) -> str:
    """The stored JSON of a meeting; times as HH:MM."""
    data = asdict(meeting)
    del data["slug"]
    data["days"] = list(meeting.days)
    data["types"] = list(meeting.types) or None
    data["regions"] = list(meeting.regions) or None
    data["approximate"] = meeting.approximate or None  # stored only when set
    data["time"] = meeting.time.strftime("%H:%M") if meeting.time else None
    data["end_time"] = meeting.end_time.strftime("%H:%M") if meeting.end_time else None
    return _dumps(data)


def meeting_from_json(slug: str, text: str) -> Meeting:
    """A meeting from its stored JSON."""
    data = json.loads(text)
    data["days"] = tuple(data["days"])
    data["types"] = tuple(data.get("types", ()))
    data["regions"] = tuple(data.get("regions", ()))
    data["time"] = time.fromisoformat(data["time"]) if data.get("time") else None
    if data.get("end_time"):
        data["end_time"] = time.fromisoformat(data["end_time"])
    return Meeting(slug=slug, **data)


# --- the per-process cache ---


@dataclass(frozen=True)
class _Cached:
    version: int
    directory: Directory


# Keyed by connection pool, so every DirectoryStore on one Redis client shares it and a
# different Redis never sees another's directory.
_CACHE: weakref.WeakKeyDictionary[Any, _Cached] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _version(value: bytes | str | None) -> int:
    return int(value) if value is not None else 0


class DirectoryStore:
    """Groups, meetings and cancellations in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    # --- reading ---

    def version(self) -> int:
        """The directory version, bumped by every change."""
        return _version(self._redis.get(keys.DIRECTORY_VERSION))

    def load(self, version: int | None = None) -> Directory:
        """The whole directory; one GET when nothing changed since the last load, none when
        the caller read the `version` already (in its own pipeline).

        The same Directory is shared by every caller in the process: treat it as read-only.
        """
        cached = _CACHE.get(self._redis.connection_pool)
        current = self.version() if version is None else version
        if cached is not None and cached.version == current:
            return cached.directory
        directory = self._read_all()
        with _CACHE_LOCK:
            current = _CACHE.get(self._redis.connection_pool)
            if current is None or current.version <= directory.version:
                _CACHE[self._redis.connection_pool] = _Cached(directory.version, directory)
        return directory

    def _read_all(self) -> Directory:
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(keys.GROUPS)
            pipe.hgetall(keys.MEETINGS)
            pipe.smembers(keys.CANCELLED)
            pipe.get(keys.DIRECTORY_VERSION)
            groups, meetings, cancelled, version = pipe.execute()
        return Directory(
            groups=_groups_from(groups),
            meetings=_meetings_from(meetings),
            cancelled=frozenset(OccurrenceId.parse(_text(m)) for m in cancelled),
            version=_version(version),
        )

    def groups(self) -> list[Group]:
        """Every group in the stored directory, by slug. redis.RedisError if Redis is down."""
        directory = self.load()
        return [directory.groups[slug] for slug in sorted(directory.groups)]

    def export_feed(self) -> list[dict[str, Any]]:
        """The directory as Meeting Guide feed entries, sorted by slug (the meetings the
        spec's schema can carry: see feed.exportable)."""
        directory = self.load()
        meetings = directory.meetings
        return [
            meeting_to_feed(meetings[s], directory.group_of(meetings[s]))
            for s in sorted(meetings)
            if exportable(meetings[s])
        ]

    # --- writing ---

    def _change(self, step: Callable[[Pipeline], tuple[T, Write | None]]) -> T:
        """Run `step` on fresh reads with the version watched; apply its write atomically.

        `step` reads through the pipeline (immediate while watching) and returns its result
        and the writes to queue, or None when nothing changes (the version stays put).
        """
        with self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(keys.DIRECTORY_VERSION)
                    result, write = step(pipe)
                    if write is None:
                        pipe.unwatch()
                        return result
                    pipe.multi()
                    write(pipe)
                    pipe.incr(keys.DIRECTORY_VERSION)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # someone else changed the directory meanwhile: plan again

    def import_feed(
        self,
        text: str,
        *,
        prune: bool = False,
        dry_run: bool = False,
        timezone: str | None = None,
        source: str | None = None,
    ) -> ImportSummary:
        """Load a Meeting Guide feed; all or nothing. Raises FeedError for a bad feed and
        DirectoryError for a refused change (a bad `timezone`, a prune that empties).

        `timezone`: the zone for records that name none. `source`: the feed URL the
        meetings belong to (None: the CLI); a meeting owned by another source is never
        taken over, and pruning removes only the source's own meetings; pruning with a
        feed that has no meetings, or none that can be listed (only by-appointment or
        inactive records) while the source had some, is refused (a broken feed).
        """
        if timezone is not None and not is_timezone(timezone.strip()):
            raise DirectoryError(
                f"unknown timezone {timezone!r}: use an IANA name like America/New_York"
            )
        zone = timezone.strip() if timezone else None

        def step(pipe: Pipeline) -> tuple[ImportSummary, Write | None]:
            groups = _groups_from(pipe.hgetall(keys.GROUPS))
            current = _meetings_from(pipe.hgetall(keys.MEETINGS))
            owners = {slug: m.source for slug, m in current.items()}
            parsed = parse_feed(
                text, existing_groups=groups, default_timezone=zone, source=source, owners=owners
            )
            own = {slug: m for slug, m in current.items() if m.source == source}
            summary = _summarise(current, own, parsed.meetings, parsed.groups, prune, dry_run)
            if prune and own and not parsed.meetings:
                raise DirectoryError(
                    f"the feed has no meetings: pruning would remove all {len(own)}; "
                    "nothing was changed"
                )
            listed = sum(1 for m in own.values() if m.listable)
            if prune and listed and not any(m.listable for m in parsed.meetings.values()):
                # Only by-appointment or inactive records: the feed broke, or lost its times.
                raise DirectoryError(
                    f"the feed has no meeting that can be listed (only by-appointment or "
                    f"inactive ones): pruning would remove all {listed} listed; "
                    "nothing was changed"
                )
            if dry_run or not summary.changed:
                return summary, None
            cancelled = [_text(m) for m in pipe.smembers(keys.CANCELLED)] if prune else []

            def write(tx: Pipeline) -> None:
                for slug in summary.groups_created:
                    tx.hset(keys.GROUPS, slug, group_to_json(parsed.groups[slug]))
                for slug in summary.added + summary.updated:
                    tx.hset(keys.MEETINGS, slug, meeting_to_json(parsed.meetings[slug]))
                if summary.removed:
                    tx.hdel(keys.MEETINGS, *summary.removed)
                    gone = set(summary.removed)
                    stale = [m for m in cancelled if OccurrenceId.parse(m).meeting in gone]
                    if stale:
                        tx.srem(keys.CANCELLED, *stale)

            return summary, write

        return self._change(step)

    def set_group(
        self,
        slug: str,
        name: str | None = None,
        timezone: str | None = None,
        kind: str | None = None,
        language: str | None = None,
        welcome: str | None = None,
        agreements: str | None = None,
        text_language: str | None = None,
    ) -> Group:
        """Create or update a group; a new group needs a timezone. `welcome` and `agreements`
        are written in `text_language` (default: the group's language, after this change):
        in the group's own language they are its `welcome`/`agreements`; in its other one,
        the texts kept for people who chose that language (Group.own_text).
        Raises DirectoryError."""
        _check_group_slug(slug)
        changes = _group_changes(name, timezone, kind, language)
        given = (("welcome", welcome), ("agreements", agreements))
        texts = {k: check_text(k, v) for k, v in given if v is not None}
        _check_language(text_language)

        def step(pipe: Pipeline) -> tuple[Group, Write | None]:
            raw = pipe.hget(keys.GROUPS, slug)
            if raw is None:
                if "timezone" not in changes:
                    raise DirectoryError(f"group {slug!r} is new: give it a --timezone")
                old = None
                group = Group(**{"slug": slug, "name": slug, **changes})
            else:
                old = group_from_json(slug, _text(raw))
                group = replace(old, **changes)
            group = _with_texts(group, text_language or group.language, texts)
            if group == old:
                return group, None
            return group, lambda tx: tx.hset(keys.GROUPS, slug, group_to_json(group))

        return self._change(step)

    def set_texts(self, slug: str, texts: Mapping[str, Mapping[str, str | None]]) -> Group:
        """Set the group's own welcome and agreements by language, all at once: `texts` maps
        a language (its own, or its other one) to {"welcome" | "agreements": text}. A text
        sets it, "" (or only spaces) removes it, so people get the line's shared text; a
        missing or None entry leaves it. Raises DirectoryError (no such group, a bad
        language or name, a text too long) and then changes nothing."""
        checked: dict[str, dict[str, str | None]] = {}
        for language, given in texts.items():
            _check_language(language)
            checked[language] = {}
            for which, value in given.items():
                if which not in ("welcome", "agreements"):
                    raise DirectoryError(f"no text {which!r}: welcome or agreements")
                if value is not None:
                    checked[language][which] = check_text(which, value) if value.strip() else None

        def step(pipe: Pipeline) -> tuple[Group, Write | None]:
            raw = pipe.hget(keys.GROUPS, slug)
            if raw is None:
                raise DirectoryError(f"no group {slug!r}")
            old = group_from_json(slug, _text(raw))
            group = old
            for language, fields in checked.items():
                group = _with_texts(group, language, fields)
            if group == old:
                return group, None
            return group, lambda tx: tx.hset(keys.GROUPS, slug, group_to_json(group))

        return self._change(step)

    def release_source(self, source: str, drop: bool = False) -> int:
        """The meetings of a feed no longer synced: handed to the CLI (kept, and managed by
        `import` from then on) or, with `drop`, removed. How many there were."""

        def step(pipe: Pipeline) -> tuple[int, Write | None]:
            current = _meetings_from(pipe.hgetall(keys.MEETINGS))
            owned = sorted(slug for slug, m in current.items() if m.source == source)
            if not owned:
                return 0, None
            cancelled = [_text(m) for m in pipe.smembers(keys.CANCELLED)] if drop else []

            def write(tx: Pipeline) -> None:
                if drop:
                    tx.hdel(keys.MEETINGS, *owned)
                    gone = set(owned)
                    stale = [m for m in cancelled if OccurrenceId.parse(m).meeting in gone]
                    if stale:
                        tx.srem(keys.CANCELLED, *stale)
                    return
                for slug in owned:
                    tx.hset(
                        keys.MEETINGS, slug, meeting_to_json(replace(current[slug], source=None))
                    )

            return len(owned), write

        return self._change(step)

    def set_cancelled(self, meeting_slug: str, day: date, cancelled: bool) -> bool:
        """Cancel (or restore) one occurrence by its local date; True if that changed anything."""
        member = keys.cancelled_member(meeting_slug, day)

        def step(pipe: Pipeline) -> tuple[bool, Write | None]:
            if cancelled and not pipe.hexists(keys.MEETINGS, meeting_slug):
                raise DirectoryError(f"no meeting with slug {meeting_slug!r}")
            if bool(pipe.sismember(keys.CANCELLED, member)) == cancelled:
                return False, None
            if cancelled:
                return True, lambda tx: tx.sadd(keys.CANCELLED, member)
            return True, lambda tx: tx.srem(keys.CANCELLED, member)

        return self._change(step)


# --- helpers ---


def _groups_from(raw: Mapping[bytes | str, bytes | str]) -> dict[str, Group]:
    return {_text(k): group_from_json(_text(k), _text(v)) for k, v in raw.items()}


def _meetings_from(raw: Mapping[bytes | str, bytes | str]) -> dict[str, Meeting]:
    return {_text(k): meeting_from_json(_text(k), _text(v)) for k, v in raw.items()}


def _summarise(
    current: Mapping[str, Meeting],
    own: Mapping[str, Meeting],
    incoming: Mapping[str, Meeting],
    new_groups: Mapping[str, Group],
    prune: bool,
    dry_run: bool,
) -> ImportSummary:
    """What loading `incoming` changes; `own` are the meetings pruning may remove."""
    added, updated, unchanged = [], [], []
    for slug, meeting in incoming.items():
        old = current.get(slug)
        (added if old is None else unchanged if _same(old, meeting) else updated).append(slug)
    removed = sorted(set(own) - set(incoming)) if prune else []
    return ImportSummary(
        added=sorted(added),
        updated=sorted(updated),
        unchanged=sorted(unchanged),
        removed=removed,
        groups_created=sorted(new_groups),
        dry_run=dry_run,
        by_appointment=appointment_count(incoming),
    )


def _same(old: Meeting, new: Meeting) -> bool:
    """Equal, counting a dial-in written with or without spaces (our export writes it in
    the spec's compact form) as the same number: a round trip changes nothing."""
    if old == new:
        return True
    return (
        old.conference_phone != new.conference_phone
        and spec_phone(old.conference_phone) == spec_phone(new.conference_phone)
        and replace(new, conference_phone=old.conference_phone) == old
    )


def _check_group_slug(slug: str) -> None:
    if not slug or group_slug(slug) != slug:
        suggestion = group_slug(slug or "")
        hint = f" (try {suggestion!r})" if suggestion else ""
        raise DirectoryError(
            f"group slug {slug!r} must be lowercase letters, digits and single dashes{hint}"
        )


def _check_language(language: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise DirectoryError(f"language must be en or es, got {language!r}")


def _with_texts(group: Group, language: str, texts: Mapping[str, str | None]) -> Group:
    """`group` with its welcome/agreements (`texts`: which -> text, None to remove) written
    in `language`: its own fields in its own language, else those kept for `language`."""
    fields = {
        (which if language == group.language else f"{which}_{language}"): value
        for which, value in texts.items()
    }
    return replace(group, **fields) if fields else group


def _group_changes(
    name: str | None,
    timezone: str | None,
    kind: str | None,
    language: str | None,
) -> dict[str, str]:
    """The validated fields to set on a group."""
    changes: dict[str, str] = {}
    if name is not None:
        if not name.strip():
            raise DirectoryError("group name must not be empty")
        changes["name"] = name.strip()
    if timezone is not None:
        if not is_timezone(timezone.strip()):
            raise DirectoryError(
                f"unknown timezone {timezone!r}: use an IANA name like America/New_York"
            )
        changes["timezone"] = timezone.strip()
    if kind is not None:
        if kind not in KINDS:
            raise DirectoryError(f"kind must be open or focused, got {kind!r}")
        changes["kind"] = kind
    if language is not None:
        _check_language(language)
        changes["language"] = language
    return changes


def check_text(label: str, text: str) -> str:
    """A group's own text (`label`: "welcome", "agreements in Spanish", for the message),
    checked to go as a text message: trimmed, not empty, at most MAX_TEXT characters, and not
    mostly characters SMS cannot carry (flows.gsm.mostly_dropped: emoji and the like are
    dropped in sending, so it would arrive blank or nearly). Raises DirectoryError saying
    which, in a plain sentence a coordinator can read (the console shows it as it is)."""
    cleaned = text.replace("\r\n", "\n").strip()
    if not cleaned:
        raise DirectoryError(f"{label} text is empty")
    if len(cleaned) > MAX_TEXT:
        raise DirectoryError(
            f"{label} text is {len(cleaned)} characters; at most {MAX_TEXT} fit in a text message"
        )
    if mostly_dropped(cleaned):
        how = "arrive empty" if not to_gsm(cleaned).strip() else "lose most of its characters"
        raise DirectoryError(
            f"the {label} would {how}: text messages cannot carry emoji and some other "
            f"characters ({' '.join(dropped(cleaned)[:8])}), so they are dropped in sending. "
            "Please write it in words; nothing was saved"
        )
    return cleaned
