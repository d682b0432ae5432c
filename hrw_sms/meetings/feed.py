"""Meeting Guide (TSML) JSON feeds: parse and validate into the directory model, and export.

Pure code: no Redis, no network. Every problem in a feed is collected with the line its
meeting starts on, so an operator can fix a whole feed in one go.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import zipcodes
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from timezonefinder import TimezoneFinder

from flows.model import ATTENDANCE_OPTIONS, TYPE_FOCUSED, TYPE_SPANISH, Group, Meeting
from flows.occurrences import is_timezone
from hrw_sms.meetings.places import shared_places

EXAMPLES = "examples.json"

# Meeting Guide asks for URL-safe slugs; "|" and "@" would also clash with our own separators.
_SLUG = re.compile(r"[A-Za-z0-9._~-]+")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?(?:,?\s*USA?)?\s*$")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING_FIELDS = (
    "location",
    "city",
    "state",
    "conference_phone",
    "conference_url_notes",
    "conference_phone_notes",
    "location_notes",
)
_HTML_HINT = re.compile(r"<[A-Za-z/!]|&#?\w+;")
_BLOCK_TAGS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6")
# The country a feed appends to US addresses ("..., MA 01060, USA"): not worth a text's room.
_COUNTRY = re.compile(r",\s*(?:USA?|U\.S\.A?\.?|United States(?: of America)?)\s*$", re.I)
_STATE_ZIP = re.compile(r"^[A-Z]{2}\s+\d{5}(?:-\d{4})?$")
_STATE = re.compile(r"^[A-Z]{2}$")
# The spec's own patterns (schema/meeting.schema.json): export leaves out what they reject.
_SPEC_ADDRESS = re.compile(
    r"^(?:[0-9]+\s)?[0-9]*\s?[A-Za-z]+(?:\s[A-Za-z]+)*,\s[A-Za-z]+(?:\s[A-Za-z]+)*,"
    r"\s[A-Z]{2}\s[0-9]{5},\s[A-Za-z]+$"
)
_SPEC_CITY = re.compile(r"^[A-Za-z]+(?:\s[A-Za-z]+)*$")
_SPEC_STATE = re.compile(r"^[A-Z]{2}$")
_SPEC_ZIP = re.compile(r"^[0-9]{5}$")
_DIAL_SEPARATORS = re.compile(r"[\s().-]")
_SPEC_PHONE = re.compile(r"^[+]?\d{1,15}(?:[,*#]\d+)*$")
SPEC_SLUG_MAX = 64  # the schema's maxLength for `slug`...
SPEC_NAME_MAX = 255  # ...and for `name`
_DIAL_NUMBER = re.compile(r"^[+]?\d{1,15}")
_DIAL_CODES = re.compile(r"\d+")
# The type codes the spec defines (schema/meeting-type.schema.json: current, proposed and
# proposed changed). A feed may carry others ("ONL", local codes): we keep them stored,
# but an export only sends these, so it stays valid for every Meeting Guide reader.
SPEC_TYPES = frozenset(
    (  # noqa: SIM905 (one readable block, as the schema lists them)
        "11 12x12 A ABSI AL AL-AN AM ASL B BA BE BI BRK C CAN CF D DA DB DD DE DR EL EN FA FF "
        "FR G GR H HE HI HR HU ITA JA KOR L LGBTQ LIT LS LT M MED ML N NB NDG NO O OUT P POA "
        "POC POL POR PUN RUS S SEN SK SM SP ST SV T TC TH TL TR TUR UK W X XB XT Y "
        "BV-I D-HOH LO-I QSL RSL LGBTQIAA+"
    ).split()
)


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
        # Hand-kept feeds often leave a comma before "]" or "}": read them as their authors meant.
        text = _without_trailing_commas(text)
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            raise FeedError(
                [f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"]
            ) from None
    start = _skip(text, 0)
    if isinstance(document, list):
        return _array_items(text, start)[0]
    if isinstance(document, dict) and isinstance(document.get("meetings"), list):
        return _object_member_items(text, start, "meetings")
    raise FeedError(["line 1: expected a JSON array of meetings (or an object with 'meetings')"])


def _without_trailing_commas(text: str) -> str:
    """`text` with every comma that only precedes a closing "]" or "}" blanked out (outside
    strings); offsets and lines are unchanged, so reported lines stay right."""
    out = list(text)
    in_string, escaped, pending = False, False, -1
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string, pending = True, -1
        elif char == ",":
            pending = i
        elif char in "]}":
            if pending >= 0:
                out[pending] = " "
            pending = -1
        elif not char.isspace():
            pending = -1
    return "".join(out)


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


def plain_text(value: str) -> str:
    """HTML tags and entities as plain text ("<p>Side door</p>&amp; ramp" -> "Side door\n& ramp"):
    breaks and blocks become new lines, runs of spaces one space, blank lines dropped."""
    if _HTML_HINT.search(value):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(value, "html.parser")
        for br in soup.find_all("br"):
            br.replace_with("\n")
        for block in soup.find_all(_BLOCK_TAGS):
            block.insert_after("\n")
        value = soup.get_text()
    lines = (" ".join(line.split()) for line in value.replace("\xa0", " ").splitlines())
    return "\n".join(line for line in lines if line)


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
    return plain_text(value) or None


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
        return ()  # "by appointment": the spec needs a day only for weekly meetings
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


def _parse_time(raw: Mapping[str, Any], key: str, problems: _Problems) -> time | None:
    value = raw.get(key)
    if value is None or value == "":
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


def _parse_attendance(raw: Mapping[str, Any]) -> str | None:
    """`attendance_option` when it is one the spec's tools use; else derived from the fields
    (TSML derives it the same way when a feed leaves it out)."""
    value = raw.get("attendance_option")
    if isinstance(value, str) and value.strip().lower() in ATTENDANCE_OPTIONS:
        return value.strip().lower()
    return None


def _parse_regions(raw: Mapping[str, Any], problems: _Problems) -> tuple[str, ...]:
    """`regions` (general to specific), else `region` and `sub_region`."""
    value = raw.get("regions")
    if value in (None, "", []):
        value = [raw.get("region"), raw.get("sub_region")]
    if isinstance(value, str):
        value = [part for part in value.split(">")]  # the spec's sheet form "A > B"
    if not isinstance(value, list) or not all(isinstance(v, str | None) for v in value):
        problems.add(f"'regions' must be a list of names, got {value!r}")
        return ()
    return tuple(dict.fromkeys(t for v in value if v and (t := plain_text(v))))


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
    return plain_text(value) or None


def tidy_address(value: str) -> str:
    """One clean line: no country suffix, no doubled or dangling commas, single spaces."""
    value = _COUNTRY.sub("", " ".join(value.split()))
    parts = [part.strip() for part in value.split(",")]
    return ", ".join(part for part in parts if part)


@cache
def _zip_index() -> dict[str, tuple[str, str, str | None]]:
    """ZIP -> (town, state, IANA zone) from the `zipcodes` package's offline data."""
    return {
        z["zip_code"]: (z["city"], z["state"], z.get("timezone") or None)
        for z in zipcodes.list_all()
    }


def zip_town(postal_code: str | None) -> str | None:
    """The town a US ZIP code belongs to ("95005" -> "Ben Lomond"), offline."""
    if not postal_code:
        return None  # the ZIP data (~150 MB in memory) loads only when a feed needs it
    found = _zip_index().get(postal_code[:5])
    return found[0] if found else None


def zip_state(postal_code: str | None) -> str | None:
    """The state a US ZIP code belongs to ("01060" -> "MA"), offline."""
    found = _zip_index().get(postal_code[:5]) if postal_code else None
    return found[1] if found else None


@cache
def _zone_finder() -> TimezoneFinder:
    return TimezoneFinder()  # its data (about 25 MB) loads here, on first use only


def offline_zone(postal_code: str | None, lat: float | None, lon: float | None) -> str | None:
    """The IANA zone of a ZIP code, else of coordinates; None when neither tells."""
    found = _zip_index().get(postal_code[:5]) if postal_code else None
    if found and found[2] and is_timezone(found[2]):
        return found[2]
    if lat is not None and lon is not None:
        zone = _zone_finder().timezone_at(lat=lat, lng=lon)
        if zone and is_timezone(zone):
            return zone
    return None


def _parse_address(raw: Mapping[str, Any], problems: _Problems) -> dict[str, str | None]:
    """The formatted address (composed from its parts when not given) and its parts."""
    parts = {key: _optional_text(raw, key, problems) for key in ("city", "state", "postal_code")}
    formatted = _optional_text(raw, "formatted_address", problems)
    street = _optional_text(raw, "address", problems)
    if formatted is None and street is not None:
        region = " ".join(p for p in (parts["state"], parts["postal_code"]) if p)
        formatted = ", ".join(p for p in (street, parts["city"], region) if p)
    if formatted is not None:
        formatted = tidy_address(formatted) or None
    if parts["postal_code"] is None and formatted:
        match = _ZIP.search(formatted)
        parts["postal_code"] = match.group(1) if match else None
    pieces = (formatted or "").split(", ")
    if parts["city"] is None:
        # A town to show people: the address's own town part, else the ZIP's town.
        town_and_state = len(pieces) == 2 and _STATE.match(pieces[1])  # "Northampton, MA"
        named = pieces[-2] if len(pieces) >= 3 or town_and_state else None
        if named and not _STATE_ZIP.match(named) and not named[:1].isdigit():
            parts["city"] = named
        else:
            parts["city"] = zip_town(parts["postal_code"])
            if parts["city"] and len(pieces) == 2 and _STATE_ZIP.match(pieces[1]):
                # "12 Ocean St, CA 95005": a full address names its town.
                formatted = f"{pieces[0]}, {parts['city']}, {pieces[1]}"
    if parts["state"] is None:
        # The state the address names ("…, MA 01060" or "…, MA"), else its ZIP code's.
        last = pieces[-1] if formatted else ""
        if _STATE_ZIP.match(last) or _STATE.match(last):
            parts["state"] = last[:2]
        else:
            parts["state"] = zip_state(parts["postal_code"])
    return {"address": formatted, **parts}


def _given(raw: Mapping[str, Any], key: str) -> bool:
    return raw.get(key) not in (None, "")


def _parse_meeting(raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    """The Meeting's fields from one feed entry (timezone and group resolved later)."""
    name = raw.get("name")
    name = plain_text(name) if isinstance(name, str) else ""
    if not name:
        problems.add("'name' is required")
    days, start = _parse_days(raw, problems), _parse_time(raw, "time", problems)
    if not days or start is None:
        days, start = (), None  # by appointment: no weekly day and time
    fields = {
        "name": " ".join(name.split()),
        "days": days,
        "time": start,
        "end_time": _parse_time(raw, "end_time", problems) if start else None,
        "timezone": _parse_timezone(raw, problems),
        "types": _parse_types(raw, problems),
        **{key: _optional_text(raw, key, problems) for key in _STRING_FIELDS},
        **_parse_address(raw, problems),
        "latitude": _parse_coordinate(raw, "latitude", 90, problems),
        "longitude": _parse_coordinate(raw, "longitude", 180, problems),
        "conference_url": _parse_url(raw, problems),
        "notes": _parse_notes(raw, problems),
        "attendance": _parse_attendance(raw),
        "regions": _parse_regions(raw, problems),
    }
    if _given(raw, "latitude") != _given(raw, "longitude"):
        problems.add("'latitude' and 'longitude' must be given together")
    elif not problems.reasons:
        _place(fields)
    return fields


def _place(fields: dict[str, Any]) -> None:
    """Fill in what the feed left for us to find, offline: a meeting with no coordinates
    (the spec's own example has none) is placed at its ZIP code's centre, else its town's,
    and marked approximate so a zip or town search still finds it; a meeting with only
    coordinates gets the nearest ZIP code's town (shown where the town goes)."""
    places = shared_places()
    if fields["latitude"] is None:
        point = places.approximate_point(fields["postal_code"], fields["city"], fields["state"])
        if point is not None:
            fields["latitude"], fields["longitude"] = point
            fields["approximate"] = True
    elif fields["city"] is None and fields["address"] is None:
        nearest = places.nearest_zip((fields["latitude"], fields["longitude"]))
        if nearest is not None:
            fields["city"] = nearest[1]


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
    if isinstance(value, str):
        value = " ".join(plain_text(value).split())
    if not isinstance(value, str) or not group_slug(value):
        problems.add(f"'group' must be a name with letters or digits, got {raw.get('group')!r}")
        return None
    return value


def _link_groups(
    entries: list[_Entry], resolver: _GroupResolver, default_timezone: str | None
) -> None:
    """Give each entry its group slug and, when it names no zone, one from (in order) the
    import's default, its group, or offline data for its ZIP code or coordinates."""
    for entry in entries:
        if entry.fields["timezone"] is None and default_timezone:
            entry.fields["timezone"] = default_timezone
    # Meetings with a timezone go first, so a group they create can lend it to the rest.
    for entry in sorted(entries, key=lambda e: e.fields["timezone"] is None):
        group = resolver.find(entry.group_name) if entry.group_name else None
        if group is not None:
            entry.fields["timezone"] = entry.fields["timezone"] or group.timezone
        fields = entry.fields
        if fields["timezone"] is None:
            fields["timezone"] = offline_zone(
                fields["postal_code"], fields["latitude"], fields["longitude"]
            )
        if group is None and entry.group_name and fields["timezone"]:
            group = resolver.create(entry.group_name, fields)
        if group is not None:
            fields["group"] = group.slug
        if fields["timezone"] is None:
            entry.problems.add(
                "no time zone: give 'timezone', a ZIP code or coordinates, or import with "
                "--timezone (an IANA name like America/New_York)"
            )


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


def _check_owners(
    entries: list[_Entry], owners: Mapping[str, str | None], source: str | None
) -> None:
    for entry in entries:
        if entry.slug in owners and owners[entry.slug] != source:
            owner = owners[entry.slug] or "the CLI import"
            entry.problems.add(f"already comes from {owner}; slugs must be unique across feeds")


def parse_feed(
    text: str,
    *,
    existing_groups: Mapping[str, Group],
    default_timezone: str | None = None,
    source: str | None = None,
    owners: Mapping[str, str | None] | None = None,
) -> ParsedFeed:
    """Validate a whole feed; raise FeedError listing every problem, by line.

    `default_timezone` is the zone for records that name none (checked by the caller);
    `source` is the feed URL the meetings will belong to (None: the CLI); `owners` maps
    the slugs already stored to the source that owns each: a meeting another source owns
    is a problem on its line (never taken over), reported with the feed's other problems.
    """
    entries = [_read_entry(n, line, raw) for n, (line, raw) in enumerate(_json_items(text), 1)]
    _check_unique(entries)
    resolver = _GroupResolver(existing_groups)
    _link_groups([e for e in entries if not e.problems.reasons], resolver, default_timezone)
    _check_owners(entries, owners or {}, source)  # after the zones: all problems at once
    reasons = [reason for entry in entries for reason in entry.problems.reasons]
    if reasons:
        raise FeedError(reasons)
    meetings = {e.slug: Meeting(slug=e.slug, source=source, **e.fields) for e in entries if e.slug}
    return ParsedFeed(meetings=meetings, groups=dict(resolver.created))


def appointment_count(meetings: Mapping[str, Meeting]) -> int:
    """Meetings kept "by appointment" (no weekly day and time)."""
    return sum(1 for m in meetings.values() if m.by_appointment)


# --- export ---


def _feed_days(days: tuple[int, ...]) -> int | list[int]:
    return days[0] if len(days) == 1 else list(days)


def _spec_address(address: str | None) -> str | None:
    """The address as the spec's `formatted_address` wants it ("…, MA 01060, USA")."""
    if not address:
        return None
    pieces = address.split(", ")
    if _STATE_ZIP.match(pieces[-1]):
        address = f"{address}, USA"
    return address if _SPEC_ADDRESS.match(address) else None


def spec_phone(phone: str | None) -> str | None:
    """A dial-in as the spec writes it: digits, a leading "+", and "," "*" "#" for one-tap
    ("+1 413 555 0100,,123#" -> "+14135550100,,123#"); None if it cannot be written so."""
    if not phone:
        return None
    compact = _DIAL_SEPARATORS.sub("", phone)
    return compact if _SPEC_PHONE.match(compact) else None


def _spec_dial(phone: str | None, notes: str | None) -> tuple[str | None, str | None]:
    """The dial-in and its notes as the spec can carry them. A one-tap string its pattern
    refuses ("+13125550101,,5550101222#": Zoom's own form) goes out as the number alone,
    with the meeting ID (and passcode) it carried added to the notes unless already there."""
    exact = spec_phone(phone)
    if exact or not phone:
        return exact, notes
    compact = _DIAL_SEPARATORS.sub("", phone)
    number = _DIAL_NUMBER.match(compact)
    if number is None:
        return None, notes
    known = re.sub(r"\D", "", notes or "")
    codes = [c for c in _DIAL_CODES.findall(compact[number.end() :]) if c not in known]
    labels = ("Meeting ID", "Passcode")
    added = [f"{labels[min(i, 1)]}: {code}" for i, code in enumerate(codes)]
    return number.group(0), "\n".join([*([notes] if notes else []), *added]) or None


def _matching(pattern: re.Pattern[str], value: str | None) -> str | None:
    return value if value and pattern.match(value) else None


def exportable(meeting: Meeting) -> bool:
    """Whether the spec's schema can carry the meeting at all: a slug is its identity and
    cannot be shortened, so one over SPEC_SLUG_MAX characters stays out of an export."""
    return len(meeting.slug) <= SPEC_SLUG_MAX


def meeting_to_feed(meeting: Meeting, group: Group | None) -> dict[str, Any]:
    """One meeting as a Meeting Guide feed entry (empty fields left out), valid against the
    spec's JSON schema (schema/meeting.schema.json): a field its patterns reject (say an
    address like "1 Main St." with a period) is left out rather than sent malformed; the
    town, state and ZIP still go out when they fit."""
    appointment = meeting.by_appointment
    phone, phone_notes = _spec_dial(meeting.conference_phone, meeting.conference_phone_notes)
    entry: dict[str, Any] = {
        "slug": meeting.slug,
        "name": meeting.name
        if len(meeting.name) <= SPEC_NAME_MAX
        else meeting.name[: SPEC_NAME_MAX - 1].rstrip() + "…",
        "day": None if appointment else _feed_days(meeting.days),
        "time": None if appointment or meeting.time is None else meeting.time.strftime("%H:%M"),
        "end_time": None
        if appointment or not meeting.end_time
        else meeting.end_time.strftime("%H:%M"),
        "timezone": meeting.timezone,
        "types": [t for t in meeting.types if t in SPEC_TYPES] or None,
        "group": group.name if group else None,
        "location": meeting.location,
        "location_notes": meeting.location_notes,
        "formatted_address": _spec_address(meeting.address),
        "city": _matching(_SPEC_CITY, meeting.city),
        "state": _matching(_SPEC_STATE, meeting.state),
        "postal_code": _matching(_SPEC_ZIP, meeting.postal_code),
        "regions": list(meeting.regions) or None,
        # Coordinates we placed ourselves (approximate) were never published: not exported.
        "latitude": None if meeting.approximate else meeting.latitude,
        "longitude": None if meeting.approximate else meeting.longitude,
        "attendance_option": meeting.attendance,
        "conference_url": meeting.conference_url,
        "conference_url_notes": meeting.conference_url_notes,
        "conference_phone": phone,
        "conference_phone_notes": phone_notes,
        "notes": meeting.notes,
    }
    return {key: value for key, value in entry.items() if value is not None}
