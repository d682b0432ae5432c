"""Meeting Guide (TSML) JSON feeds: parse and validate into the directory model, and export.

Pure code: no Redis, no network. Every problem in a feed is collected with the line its
meeting starts on, so an operator can fix a whole feed in one go.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from flows.model import TYPE_FOCUSED, TYPE_SPANISH, Group, Meeting
from flows.occurrences import is_timezone

EXAMPLES = "examples.json"

# Meeting Guide asks for URL-safe slugs; "|" and "@" would also clash with our own separators.
_SLUG = re.compile(r"[A-Za-z0-9._~-]+")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?(?:,?\s*USA?)?\s*$")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING_FIELDS = ("location", "city", "state", "conference_phone")


class FeedError(ValueError):
    """A feed that cannot be imported; `reasons` holds one line per problem."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        count = len(reasons)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the feed")


@dataclass(frozen=True)
class ParsedFeed:
    """A valid feed: its meetings by slug (feed order) and the groups it creates."""

    meetings: dict[str, Meeting] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)


def group_slug(name: str) -> str:
    """The contract's slug rule: "HRW en Español" -> "hrw-en-espanol"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def example_feed() -> str:
    """The bundled example feed (for `hrw-sms demo`)."""
    return resources.files("hrw_sms").joinpath("data", EXAMPLES).read_text(encoding="utf-8")


# --- reading the JSON with line numbers ---


def _json_items(text: str) -> list[tuple[int, Any]]:
    """Each top-level meeting with the line its JSON value starts on."""
    text = text.removeprefix("\ufeff")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(
            [f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"]
        ) from None
    start = _skip(text, 0)
    if isinstance(document, list):
        return _array_items(text, start)[0]
    if isinstance(document, dict) and isinstance(document.get("meetings"), list):
        return _object_member_items(text, start, "meetings")
    raise FeedError(["line 1: expected a JSON array of meetings (or an object with 'meetings')"])


def _skip(text: str, i: int) -> int:
    match = _WHITESPACE.match(text, i)
    return match.end() if match else i


class _Lines:
    """Line numbers for offsets, counted incrementally (offsets only grow)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, i: int) -> int:
        self.line += self.text.count("\n", self.offset, i)
        self.offset = i
        return self.line


def _array_items(
    text: str, i: int, lines: _Lines | None = None
) -> tuple[list[tuple[int, Any]], int]:
    """Items of the (valid) JSON array at text[i], with their lines, and the offset after it."""
    decoder, lines = json.JSONDecoder(), lines or _Lines(text)
    items: list[tuple[int, Any]] = []
    i = _skip(text, i + 1)
    while text[i] != "]":
        value, end = decoder.raw_decode(text, i)
        items.append((lines.at(i), value))
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return items, i + 1


def _object_member_items(text: str, i: int, name: str) -> list[tuple[int, Any]]:
    """Items of the array member `name` of the (valid) JSON object at text[i]."""
    decoder, lines = json.JSONDecoder(), _Lines(text)
    found: list[tuple[int, Any]] = []
    i = _skip(text, i + 1)
    while text[i] != "}":
        key, end = decoder.raw_decode(text, i)
        i = _skip(text, _skip(text, end) + 1)  # past the ":"
        if key == name and text[i] == "[":
            found, end = _array_items(text, i, lines)
        else:
            _, end = decoder.raw_decode(text, i)
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return found


# --- field validation ---


class _Problems:
    """Problems found in one meeting, phrased with its line and name."""

    def __init__(self, line: int, label: str) -> None:
        self.line, self.label, self.reasons = line, label, []

    def add(self, message: str) -> None:
        self.reasons.append(f"line {self.line}: {self.label}: {message}")


@dataclass
class _Entry:
    """One feed entry while it is being checked."""

    line: int
    slug: str | None
    group_name: str | None
    fields: dict[str, Any]
    problems: _Problems


def _optional_text(raw: Mapping[str, Any], key: str, problems: _Problems) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if key == "postal_code" and isinstance(value, int) and not isinstance(value, bool):
        # A ZIP written as a number has lost its leading zeros (01060 -> 1060).
        value = f"{value:05d}" if 0 <= value <= 99999 else str(value)
    if not isinstance(value, str):
        problems.add(f"'{key}' must be text, got {value!r}")
        return None
    return value.strip() or None


def _parse_slug(raw: Mapping[str, Any], problems: _Problems) -> str | None:
    value = raw.get("slug")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or value == "":
        problems.add("'slug' is required")
        return None
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        problems.add(f"'slug' must be letters, digits, '-', '_', '.' or '~', got {value!r}")
        return None
    return value


def _parse_days(raw: Mapping[str, Any], problems: _Problems) -> tuple[int, ...]:
    value = raw.get("day")
    if value is None or value == [] or value == "":
        problems.add("'day' is required (0 = Sunday ... 6 = Saturday, or a list of them)")
        return ()
    days: set[int] = set()
    for item in value if isinstance(value, list) else [value]:
        day = _as_day(item)
        if day is None:
            problems.add(f"'day' must be 0-6 (0 = Sunday) or a list of them, got {item!r}")
            return ()
        days.add(day)
    return tuple(sorted(days))


def _as_day(item: Any) -> int | None:
    if isinstance(item, str) and item.strip().isdigit():
        item = int(item.strip())
    if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
        return item
    return None


def _parse_time(
    raw: Mapping[str, Any], key: str, problems: _Problems, required: bool
) -> time | None:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            problems.add(f"'{key}' is required (HH:MM)")
        return None
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour <= 23 and minute <= 59 and second <= 59:
            # Seconds are dropped: meetings start on the minute.
            return time(hour, minute)
    problems.add(f"'{key}' must be HH:MM, got {value!r}")
    return None


def _parse_timezone(raw: Mapping[str, Any], problems: _Problems) -> str | None:
    value = raw.get("timezone")
    if value is None or value == "":
        return None  # may come from the group; checked once groups are known
    if not isinstance(value, str) or not is_timezone(value.strip()):
        problems.add(f"'timezone' must be an IANA name like America/New_York, got {value!r}")
        return None
    return value.strip()


def _parse_types(raw: Mapping[str, Any], problems: _Problems) -> tuple[str, ...]:
    value = raw.get("types")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        problems.add(f"'types' must be a list of codes like [\"O\"], got {value!r}")
        return ()
    return tuple(dict.fromkeys(t.strip() for t in value if t.strip()))


def _parse_coordinate(
    raw: Mapping[str, Any], key: str, limit: float, problems: _Problems
) -> float | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not -limit <= number <= limit:
        problems.add(f"'{key}' must be a number from {-limit:g} to {limit:g}, got {value!r}")
        return None
    return number


def _parse_url(raw: Mapping[str, Any], problems: _Problems) -> str | None:
    value = _optional_text(raw, "conference_url", problems)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.add(f"'conference_url' must be an http(s) link, got {value!r}")
        return None
    return value


def _parse_notes(raw: Mapping[str, Any], problems: _Problems) -> str | None:
    value = raw.get("notes")
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        value = "\n".join(value)
    if value is not None and not isinstance(value, str):
        problems.add(f"'notes' must be text or a list of lines, got {value!r}")
        return None
    if not value:
        return None
    return value.strip() or None


def _parse_address(raw: Mapping[str, Any], problems: _Problems) -> dict[str, str | None]:
    """The formatted address (composed from its parts when not given) and its parts."""
    parts = {key: _optional_text(raw, key, problems) for key in ("city", "state", "postal_code")}
    formatted = _optional_text(raw, "formatted_address", problems)
    street = _optional_text(raw, "address", problems)
    if formatted is None and street is not None:
        region = " ".join(p for p in (parts["state"], parts["postal_code"]) if p)
        formatted = ", ".join(p for p in (street, parts["city"], region) if p)
    if parts["postal_code"] is None and formatted:
        match = _ZIP.search(formatted)
        parts["postal_code"] = match.group(1) if match else None
    return {"address": formatted, **parts}


def _given(raw: Mapping[str, Any], key: str) -> bool:
    return raw.get(key) not in (None, "")


def _parse_meeting(raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    """The Meeting's fields from one feed entry (timezone and group resolved later)."""
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add("'name' is required")
    fields = {
        "name": name.strip() if isinstance(name, str) else "",
        "days": _parse_days(raw, problems),
        "time": _parse_time(raw, "time", problems, required=True),
        "end_time": _parse_time(raw, "end_time", problems, required=False),
        "timezone": _parse_timezone(raw, problems),
        "types": _parse_types(raw, problems),
        **_parse_address(raw, problems),
        **{key: _optional_text(raw, key, problems) for key in _STRING_FIELDS},
        "latitude": _parse_coordinate(raw, "latitude", 90, problems),
        "longitude": _parse_coordinate(raw, "longitude", 180, problems),
        "conference_url": _parse_url(raw, problems),
        "notes": _parse_notes(raw, problems),
    }
    if _given(raw, "latitude") != _given(raw, "longitude"):
        problems.add("'latitude' and 'longitude' must be given together")
    return fields


# --- groups ---


class _GroupResolver:
    """Finds or creates the group a feed's `group` name refers to."""

    def __init__(self, existing: Mapping[str, Group]) -> None:
        self.existing = existing
        self.created: dict[str, Group] = {}
        # A group renamed with `group set` keeps its slug: its exact name still links to it.
        by_name: dict[str, list[str]] = {}
        for group in existing.values():
            by_name.setdefault(group.name, []).append(group.slug)
        self.by_name = {name: slugs[0] for name, slugs in by_name.items() if len(slugs) == 1}

    def find(self, name: str) -> Group | None:
        slug = group_slug(name)
        found = self.existing.get(slug) or self.created.get(slug)
        if found is None and name in self.by_name:
            found = self.existing[self.by_name[name]]
        return found

    def create(self, name: str, fields: Mapping[str, Any]) -> Group:
        types = fields["types"]
        group = Group(
            slug=group_slug(name),
            name=name,
            timezone=fields["timezone"],
            kind="focused" if TYPE_FOCUSED in types else "open",
            language="es" if TYPE_SPANISH in types else "en",
        )
        self.created[group.slug] = group
        return group


def _group_name(raw: Mapping[str, Any], problems: _Problems) -> str | None:
    value = raw.get("group")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not group_slug(value):
        problems.add(f"'group' must be a name with letters or digits, got {value!r}")
        return None
    return value.strip()


def _link_groups(entries: list[_Entry], resolver: _GroupResolver) -> None:
    """Give each entry its group slug and, when it has none, its group's timezone."""
    # Meetings with a timezone go first, so a group they create can lend it to the rest.
    for entry in sorted(entries, key=lambda e: e.fields["timezone"] is None):
        group = resolver.find(entry.group_name) if entry.group_name else None
        if group is None and entry.group_name and entry.fields["timezone"]:
            group = resolver.create(entry.group_name, entry.fields)
        if group is not None:
            entry.fields["group"] = group.slug
            entry.fields["timezone"] = entry.fields["timezone"] or group.timezone
        if entry.fields["timezone"] is None:
            entry.problems.add("'timezone' is required (an IANA name like America/New_York)")


def _read_entry(index: int, line: int, raw: Any) -> _Entry:
    if not isinstance(raw, dict):
        problems = _Problems(line, f"meeting #{index}")
        problems.add(f"expected a JSON object, got {type(raw).__name__}")
        return _Entry(line, None, None, {}, problems)
    slug_value = raw.get("slug")
    label = f'meeting "{slug_value}"' if isinstance(slug_value, str) and slug_value else None
    problems = _Problems(line, label or f"meeting #{index}")
    slug = _parse_slug(raw, problems)
    return _Entry(line, slug, _group_name(raw, problems), _parse_meeting(raw, problems), problems)


def _check_unique(entries: list[_Entry]) -> None:
    first_line: dict[str, int] = {}
    for entry in entries:
        if entry.slug is None:
            continue
        if entry.slug in first_line:
            entry.problems.add(
                f"'slug' {entry.slug!r} is used again (first on line {first_line[entry.slug]})"
            )
        else:
            first_line[entry.slug] = entry.line


def parse_feed(text: str, *, existing_groups: Mapping[str, Group]) -> ParsedFeed:
    """Validate a whole feed; raise FeedError listing every problem, by line."""
    entries = [_read_entry(n, line, raw) for n, (line, raw) in enumerate(_json_items(text), 1)]
    _check_unique(entries)
    resolver = _GroupResolver(existing_groups)
    _link_groups([e for e in entries if not e.problems.reasons], resolver)
    reasons = [reason for entry in entries for reason in entry.problems.reasons]
    if reasons:
        raise FeedError(reasons)
    meetings = {e.slug: Meeting(slug=e.slug, **e.fields) for e in entries if e.slug}
    return ParsedFeed(meetings=meetings, groups=dict(resolver.created))


# --- export ---


def _feed_days(days: tuple[int, ...]) -> int | list[int]:
    return days[0] if len(days) == 1 else list(days)


def meeting_to_feed(meeting: Meeting, group: Group | None) -> dict[str, Any]:
    """One meeting as a Meeting Guide feed entry (empty fields left out)."""
    entry: dict[str, Any] = {
        "slug": meeting.slug,
        "name": meeting.name,
        "day": _feed_days(meeting.days),
        "time": meeting.time.strftime("%H:%M"),
        "end_time": meeting.end_time.strftime("%H:%M") if meeting.end_time else None,
        "timezone": meeting.timezone,
        "types": list(meeting.types) or None,
        "group": group.name if group else None,
        "location": meeting.location,
        "formatted_address": meeting.address,
        "city": meeting.city,
        "state": meeting.state,
        "postal_code": meeting.postal_code,
        "latitude": meeting.latitude,
        "longitude": meeting.longitude,
        "conference_url": meeting.conference_url,
        "conference_phone": meeting.conference_phone,
        "notes": meeting.notes,
    }
    return {key: value for key, value in entry.items() if value is not None}
