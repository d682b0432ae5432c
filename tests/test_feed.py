"""Meeting Guide feed parsing, validation and export (no Redis)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import time

import pytest

from flows.model import Group
from hrw_sms.meetings.feed import (
    FeedError,
    example_feed,
    group_slug,
    meeting_to_feed,
    parse_feed,
    spec_phone,
)

NY = "America/New_York"


def feed(*meetings: dict) -> str:
    """A feed with one meeting object per line block, like a hand-written file."""
    return json.dumps(list(meetings), indent=2, ensure_ascii=False)


def meeting(**fields: object) -> dict:
    base = {"slug": "tuesday-night", "name": "Tuesday Night", "day": 2, "time": "19:00"}
    base["timezone"] = NY
    return {**base, **fields}


def reasons(text: str, groups: dict[str, Group] | None = None) -> list[str]:
    with pytest.raises(FeedError) as info:
        parse_feed(text, existing_groups=groups or {})
    return info.value.reasons


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("HRW en Español", "hrw-en-espanol"),
        ("  Northampton -- Monday!! ", "northampton-monday"),
        ("Ñandú & Café", "nandu-cafe"),
        ("LGBTQ+ Group #2", "lgbtq-group-2"),
        ("Example: HRW Northampton", "example-hrw-northampton"),
        ("!!!", ""),
    ],
)
def test_group_slug(name: str, slug: str) -> None:
    assert group_slug(name) == slug


def test_parses_a_meeting() -> None:
    text = feed(
        meeting(
            day=["1", 3],
            time="18:30:00",
            end_time="20:00",
            types=["O", "S", "O"],
            address="25 Center St",
            city="Northampton",
            state="MA",
            postal_code=1060,
            latitude="42.3195",
            longitude=-72.6305,
            notes=["one", "two"],
            group="HRW en Español",
            unknown_field={"ignored": True},
        )
    )
    parsed = parse_feed(text, existing_groups={})
    m = parsed.meetings["tuesday-night"]
    assert m.days == (1, 3)
    assert (m.time, m.end_time) == (time(18, 30), time(20, 0))
    assert m.types == ("O", "S")
    assert m.address == "25 Center St, Northampton, MA 01060"
    assert m.postal_code == "01060"
    assert (m.latitude, m.longitude) == (42.3195, -72.6305)
    assert m.notes == "one\ntwo"
    assert m.group == "hrw-en-espanol"
    assert parsed.groups == {
        "hrw-en-espanol": Group("hrw-en-espanol", "HRW en Español", NY, "open", "es")
    }


def test_focused_type_makes_a_focused_group() -> None:
    parsed = parse_feed(feed(meeting(types=["C"], group="Night Owls")), existing_groups={})
    assert parsed.groups["night-owls"].kind == "focused"
    assert parsed.groups["night-owls"].language == "en"


def test_existing_group_is_linked_and_lends_its_timezone() -> None:
    existing = {"night-owls": Group("night-owls", "Owls", "America/Los_Angeles", "focused")}
    m = meeting(group="Night Owls", types=["O"])
    del m["timezone"]
    parsed = parse_feed(feed(m), existing_groups=existing)
    assert parsed.groups == {}
    assert parsed.meetings["tuesday-night"].group == "night-owls"
    assert parsed.meetings["tuesday-night"].timezone == "America/Los_Angeles"


def test_renamed_group_is_found_by_its_exact_name() -> None:
    existing = {"owls": Group("owls", "Night Owls", NY)}
    parsed = parse_feed(feed(meeting(group="Night Owls")), existing_groups=existing)
    assert parsed.meetings["tuesday-night"].group == "owls"
    assert parsed.groups == {}


def test_group_created_in_the_feed_lends_its_timezone() -> None:
    first = meeting(slug="a", group="Owls")
    second = meeting(slug="b", group="Owls")
    del second["timezone"]
    parsed = parse_feed(feed(second, first), existing_groups={})
    assert parsed.meetings["b"].timezone == NY


def test_object_with_meetings_array_is_accepted() -> None:
    text = json.dumps({"name": "x", "meetings": [meeting()], "other": [1, 2]}, indent=2)
    assert list(parse_feed(text, existing_groups={}).meetings) == ["tuesday-night"]


def test_reason_names_the_line_and_the_meeting() -> None:
    text = feed(meeting(slug="ok"), meeting(time="25:00"))
    assert reasons(text) == ["line 9: meeting \"tuesday-night\": 'time' must be HH:MM, got '25:00'"]


def test_every_problem_is_reported_at_once() -> None:
    text = feed(
        meeting(slug="a", day=7, latitude=95, longitude=1),
        meeting(slug="b", timezone="Mars/Olympus", conference_url="ftp://x.example.org"),
        meeting(slug="a"),
        {"name": "No slug", "day": 1, "time": "10:00", "timezone": NY},
        "not an object",
        meeting(slug="c", name="", end_time="7pm", types="O", longitude=3),
    )
    found = reasons(text)
    assert found == [
        "line 2: meeting \"a\": 'day' must be 0-6 (0 = Sunday) or a list of them, got 7",
        "line 2: meeting \"a\": 'latitude' must be a number from -90 to 90, got 95",
        "line 11: meeting \"b\": 'timezone' must be an IANA name like America/New_York, "
        "got 'Mars/Olympus'",
        "line 11: meeting \"b\": 'conference_url' must be an http(s) link, "
        "got 'ftp://x.example.org'",
        "line 19: meeting \"a\": 'slug' 'a' is used again (first on line 2)",
        "line 26: meeting #4: 'slug' is required",
        "line 32: meeting #5: expected a JSON object, got str",
        "line 33: meeting \"c\": 'name' is required",
        "line 33: meeting \"c\": 'end_time' must be HH:MM, got '7pm'",
        "line 33: meeting \"c\": 'types' must be a list of codes like [\"O\"], got 'O'",
        "line 33: meeting \"c\": 'latitude' and 'longitude' must be given together",
    ]


def test_missing_timezone_without_a_group_zip_or_coordinates() -> None:
    m = meeting()
    del m["timezone"]
    assert reasons(feed(m)) == [
        'line 2: meeting "tuesday-night": '
        "no time zone: give 'timezone', a ZIP code or coordinates, or import with "
        "--timezone (an IANA name like America/New_York)"
    ]


def test_json_syntax_error_reports_its_own_line() -> None:
    text = '[\n  {"slug": "a",\n   "name": "A"\n   "day": 1}\n]'
    assert reasons(text) == ["line 4, column 4: not valid JSON: Expecting ',' delimiter"]


def test_top_level_must_be_a_list() -> None:
    assert reasons('{"slug": "a"}')[0].startswith("line 1: expected a JSON array")


def test_round_trip_changes_nothing() -> None:
    first = parse_feed(example_feed(), existing_groups={})
    groups = first.groups
    exported = [
        meeting_to_feed(m, groups.get(m.group) if m.group else None)
        for m in first.meetings.values()
    ]
    second = parse_feed(json.dumps(exported), existing_groups=groups)
    # The dial-in comes back in the spec's compact form ("413-555-0142" -> "4135550142").
    compact = {
        slug: replace(m, conference_phone=spec_phone(m.conference_phone))
        for slug, m in first.meetings.items()
    }
    assert second.meetings == compact
    assert second.groups == {}
    again = [
        meeting_to_feed(m, groups.get(m.group) if m.group else None)
        for m in second.meetings.values()
    ]
    assert again == exported


def test_export_shape() -> None:
    parsed = parse_feed(feed(meeting(day=[2, 4], group="Owls")), existing_groups={})
    m = parsed.meetings["tuesday-night"]
    assert meeting_to_feed(m, parsed.groups["owls"]) == {
        "slug": "tuesday-night",
        "name": "Tuesday Night",
        "day": [2, 4],
        "time": "19:00",
        "timezone": NY,
        "group": "Owls",
    }


def test_bundled_examples_meet_the_brief() -> None:
    parsed = parse_feed(example_feed(), existing_groups={})
    meetings = list(parsed.meetings.values())
    assert all(m.name.startswith("Example:") for m in meetings)
    assert all("Example meeting for the demo" in (m.notes or "") for m in meetings)
    assert {d for m in meetings for d in m.days} == set(range(7))
    assert {m.timezone for m in meetings} == {"America/New_York", "America/Los_Angeles"}
    assert parsed.groups["hrw-en-espanol"].language == "es"
    online = [m for m in meetings if m.online]
    assert len(online) == 1 and online[0].address is None
    assert any("C" in m.types for m in meetings)
    assert {"01060", "01040", "01002", "01103"} <= {m.postal_code for m in meetings}
