"""Real feeds' quirks, read as the Meeting Guide spec and its reference tools allow (no Redis
except where the CLI is the point)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from flows.gsm import segments, to_gsm
from flows.model import Group, Meeting
from flows.occurrences import occurrence_on, occurrences_between
from flows.render_sms import render, where
from flows.replies import MeetingDetails
from hrw_sms.cli import main
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.meetings.feed import FeedError, meeting_to_feed, parse_feed, plain_text, tidy_address
from tests.quirky_feeds import QUIRKS, TRAILING_COMMAS, quirky_text

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture(scope="module")
def parsed() -> dict[str, Meeting]:
    return dict(parse_feed(quirky_text(), existing_groups={}).meetings)


def one(**fields: object) -> str:
    base = {"slug": "m", "name": "M", "day": 2, "time": "19:00"}
    return json.dumps([{**base, **fields}])


# --- time zones ---


def test_zone_from_the_zip_code(parsed: dict[str, Meeting]) -> None:
    assert parsed["zip-zone"].timezone == "America/Los_Angeles"


def test_zone_from_the_coordinates(parsed: dict[str, Meeting]) -> None:
    assert parsed["coordinate-zone"].timezone == "America/Denver"


def test_default_timezone_comes_before_the_zip_and_after_the_record() -> None:
    text = json.dumps(
        [
            {"slug": "a", "name": "A", "day": 1, "time": "10:00", "postal_code": "95005"},
            {"slug": "b", "name": "B", "day": 1, "time": "10:00", "timezone": "America/Chicago"},
        ]
    )
    meetings = parse_feed(text, existing_groups={}, default_timezone="America/New_York").meetings
    assert meetings["a"].timezone == "America/New_York"
    assert meetings["b"].timezone == "America/Chicago"


def test_group_zone_comes_before_the_zip() -> None:
    groups = {"owls": Group("owls", "Owls", "America/Phoenix")}
    text = one(group="Owls", postal_code="95005")
    assert parse_feed(text, existing_groups=groups).meetings["m"].timezone == "America/Phoenix"


def test_new_group_takes_the_zone_found_for_its_meeting() -> None:
    parsed = parse_feed(one(group="Valley Peers", postal_code="01060"), existing_groups={})
    assert parsed.groups["valley-peers"].timezone == "America/New_York"


def test_zone_nowhere_to_be_found_is_a_line_level_error() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(one(postal_code="00000"), existing_groups={})
    assert info.value.reasons[0].startswith('line 1: meeting "m": no time zone')


# --- by appointment ---


def test_by_appointment_is_kept_never_listed_and_exported_without_day_or_time(
    parsed: dict[str, Meeting],
) -> None:
    m = parsed["by-appointment"]
    assert m.by_appointment and m.days == () and m.time is None
    assert list(occurrences_between(m, NOW, NOW + timedelta(days=30))) == []
    entry = meeting_to_feed(m, None)
    assert "day" not in entry and "time" not in entry
    assert entry["notes"] == "Call ahead to set a time."


def test_day_without_a_time_is_by_appointment_too() -> None:
    m = parse_feed(one(time="", timezone="America/New_York"), existing_groups={}).meetings["m"]
    assert m.by_appointment and m.days == ()


# --- attendance ---


def test_attendance_option_is_honoured(parsed: dict[str, Meeting]) -> None:
    online = parsed["dial-in"]
    assert (online.online, online.in_person) == (True, False)
    hybrid = parsed["hybrid"]
    assert (hybrid.online, hybrid.in_person) == (True, True)
    stale = parsed["in-person-with-stale-link"]
    assert (stale.online, stale.in_person) == (False, True)
    inactive = parsed["inactive"]
    assert not inactive.active
    assert list(occurrences_between(inactive, NOW, NOW + timedelta(days=8))) == []


def test_a_town_and_no_link_is_in_person_not_online(parsed: dict[str, Meeting]) -> None:
    m = parsed["town-only"]
    assert m.in_person and not m.online
    occ = occurrence_on(m, date(2026, 11, 29))
    assert where("en", occ) == "Holyoke"


def test_unknown_attendance_option_falls_back_to_the_fields() -> None:
    text = one(timezone="America/New_York", attendance_option="sometimes", city="Holyoke")
    m = parse_feed(text, existing_groups={}).meetings["m"]
    assert m.attendance is None and m.in_person


# --- text fields ---


def test_html_tags_and_entities_become_plain_text(parsed: dict[str, Meeting]) -> None:
    m = parsed["html-notes"]
    assert m.name == "Tuesday & Friends"
    assert m.location == "St. Luke's Hall"
    assert m.notes == "Side door after 7.\nRamp at the back\nCoffee & tea"
    assert m.location_notes == "Parking behind the church"


def test_group_names_are_plain_text_too() -> None:
    parsed = parse_feed(
        one(timezone="America/New_York", group="Peers &amp; Friends"), existing_groups={}
    )
    assert parsed.groups["peers-friends"].name == "Peers & Friends"


def test_plain_text_leaves_plain_text_alone() -> None:
    assert plain_text("Fish & chips < 5 dollars") == "Fish & chips < 5 dollars"
    assert plain_text("a  b\n\n c ") == "a b\nc"


def test_blank_fields_are_absent_fields(parsed: dict[str, Meeting]) -> None:
    m = parsed["html-notes"]
    assert m.end_time is None and m.types == ("O",) and m.approximate  # blank: placed by ZIP


def test_the_spec_fields_people_want_are_kept(parsed: dict[str, Meeting]) -> None:
    m = parsed["dial-in"]
    assert m.conference_url_notes == "Password: calm"
    assert m.conference_phone_notes == "Meeting ID: 555 0101 222\nPasscode: 8642"
    assert m.regions == ("Online", "Midwest")
    assert parsed["hybrid"].regions == ("Santa Cruz County", "San Lorenzo Valley")


def test_unknown_fields_are_ignored(parsed: dict[str, Meeting]) -> None:
    stored = json.dumps(meeting_to_feed(parsed["dial-in"], None))
    assert "unknown_vendor_field" not in stored and "someone@example.org" not in stored


def test_trailing_commas_are_read_as_meant() -> None:
    meetings = parse_feed(TRAILING_COMMAS, existing_groups={}).meetings
    assert meetings["comma-two"].days == (2, 3)
    assert meetings["comma-two"].name == "A string with ,] inside"


def test_real_syntax_errors_still_name_their_line() -> None:
    broken = TRAILING_COMMAS.replace('"day": 1,', '"day": 1')
    with pytest.raises(FeedError) as info:
        parse_feed(broken, existing_groups={})
    assert info.value.reasons[0].startswith("line 6, column 5: not valid JSON")


# --- shown right ---


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("14  Elm St,, Northampton,  MA 01060, USA", "14 Elm St, Northampton, MA 01060"),
        ("9 Pine Rd, Ben Lomond, CA 95005, United States", "9 Pine Rd, Ben Lomond, CA 95005"),
        (", 1 Main St , Holyoke ,MA 01040,", "1 Main St, Holyoke, MA 01040"),
    ],
)
def test_tidy_address(raw: str, tidy: str) -> None:
    assert tidy_address(raw) == tidy


def test_town_from_city_else_the_zip_never_a_state_and_zip(parsed: dict[str, Meeting]) -> None:
    assert parsed["zip-zone"].city == "Ben Lomond"  # from the address's own town part
    assert parsed["hybrid"].city == "Ben Lomond"  # "12 Ocean St, CA 95005": from the ZIP
    for slug in ("zip-zone", "hybrid", "html-notes"):
        m = parsed[slug]
        shown = where("en", occurrence_on(m, date(2026, 11, 28)))
        assert shown in ("Ben Lomond", "Northampton") and "95005" not in shown


def test_address_ending_in_usa_gives_the_town_not_the_state_and_zip() -> None:
    text = one(timezone="America/Los_Angeles", formatted_address="5 Bear Creek Rd, CA 95005, USA")
    m = parse_feed(text, existing_groups={}).meetings["m"]
    assert m.address == "5 Bear Creek Rd, Ben Lomond, CA 95005" and m.city == "Ben Lomond"


@pytest.mark.parametrize("language", ["en", "es"])
def test_details_give_the_dial_in_meeting_id_and_passcode(
    parsed: dict[str, Meeting], language: str
) -> None:
    m = parsed["dial-in"]
    occ = occurrence_on(m, date(2026, 11, 27))
    body = render((MeetingDetails(1, occ, None, "open"),), language, NOW)
    assert "+1 312 555 0101 (Meeting ID: 555 0101 222, Passcode: 8642)" in body
    assert segments(to_gsm(body)) <= 3


def test_long_dial_in_notes_still_fit_in_three_segments(parsed: dict[str, Meeting]) -> None:
    from dataclasses import replace

    m = replace(
        parsed["dial-in"],
        name="A Very Long Meeting Name That Goes On " * 3,
        conference_phone_notes="Meeting ID: 555 0101 222. Passcode: 8642. " * 10,
        notes="Bring a friend. " * 40,
    )
    body = render(
        (MeetingDetails(1, occurrence_on(m, date(2026, 11, 27)), None, "open"),), "en", NOW
    )
    assert segments(to_gsm(body)) <= 3
    assert "Passcode: 8642" in body


# --- through the CLI and the store ---


@pytest.fixture
def run(redis_url: str):
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None):
        return runner.invoke(main, list(args), input=stdin, env={"REDIS_URL": redis_url})

    return invoke


def test_cli_import_counts_appointments_and_takes_timezone(run, r) -> None:
    records = [{k: v for k, v in q.items() if k != "timezone"} for q in QUIRKS]
    result = run("import", "-", "--timezone", "America/Chicago", stdin=quirky_text(records))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("meetings: 9 added, 0 updated, 0 unchanged, 0 removed")
    assert "1 by appointment" in result.stdout
    meetings = DirectoryStore(r).load().meetings
    assert {m.timezone for m in meetings.values()} == {"America/Chicago"}


def test_cli_import_rejects_an_unknown_timezone_changing_nothing(run, r) -> None:
    result = run("import", "-", "--timezone", "Mars/Olympus", stdin=quirky_text())
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: import -: unknown timezone")
    assert r.keys("*") == []


def test_stored_meeting_keeps_every_new_field(r) -> None:
    store = DirectoryStore(r)
    store.import_feed(quirky_text())
    before = parse_feed(quirky_text(), existing_groups={}).meetings
    from hrw_sms.meetings.directory import _CACHE

    _CACHE.clear()
    assert dict(store.load().meetings) == dict(before)


# --- meetings the feed gave no coordinates (issue 10 polish: placed by ZIP or town) ---

UNPLACED = [
    {  # the spec's own example shape: an address with town and ZIP, no coordinates
        "slug": "pleasant-st",
        "name": "Pleasant Street Circle",
        "day": 2,
        "time": "19:00",
        "timezone": "America/New_York",
        "formatted_address": "52 Pleasant Street, Northampton, 01060",
    },
    {  # a ZIP code in its own field
        "slug": "amherst",
        "name": "Amherst Evening",
        "day": 2,
        "time": "20:00",
        "timezone": "America/New_York",
        "address": "10 Main St",
        "city": "Amherst",
        "state": "MA",
        "postal_code": "01002",
    },
    {  # a town and state only: placed at the town's centre
        "slug": "town-only",
        "name": "Santa Cruz Talk",
        "day": 3,
        "time": "18:00",
        "timezone": "America/Los_Angeles",
        "city": "Santa Cruz",
        "state": "CA",
    },
    {  # published coordinates are kept as they are
        "slug": "pinned",
        "name": "Pinned",
        "day": 2,
        "time": "19:00",
        "timezone": "America/New_York",
        "formatted_address": "1 Main St, Northampton, MA 01060",
        "latitude": 42.3251,
        "longitude": -72.6412,
    },
]


@pytest.fixture(scope="module")
def unplaced() -> dict[str, Meeting]:
    return dict(parse_feed(json.dumps(UNPLACED), existing_groups={}).meetings)


def _search(meetings: dict[str, Meeting], words: str) -> list[tuple[str, float | None]]:
    from flows.model import Directory
    from flows.occurrences import Timetable, timetable_window
    from flows.search import Query, search
    from hrw_sms.meetings.places import ZipPlaces

    timetable = Timetable.build(Directory(meetings=meetings), *timetable_window(NOW))
    found = search(Query.from_words(tuple(words.split())), timetable, NOW, ZipPlaces()).found
    return [(f.occurrence.meeting.slug, f.miles) for f in found]


def test_meetings_without_coordinates_are_placed_approximately(
    unplaced: dict[str, Meeting],
) -> None:
    for slug in ("pleasant-st", "amherst", "town-only"):
        meeting = unplaced[slug]
        assert meeting.approximate and meeting.located, slug
    assert not unplaced["pinned"].approximate
    assert (unplaced["pinned"].latitude, unplaced["pinned"].longitude) == (42.3251, -72.6412)


@pytest.mark.parametrize(
    ("words", "slug"),
    [
        ("01060", "pleasant-st"),
        ("Amherst", "amherst"),
        ("01002", "amherst"),
        ("santa cruz", "town-only"),
    ],
)
def test_zip_and_town_searches_find_meetings_without_coordinates(
    unplaced: dict[str, Meeting], words: str, slug: str
) -> None:
    assert slug in [found for found, _ in _search(unplaced, words)]


def test_approximate_distances_say_about_and_export_invents_no_coordinates(
    unplaced: dict[str, Meeting],
) -> None:
    from flows.replies import ListItem, MeetingList, Text

    found = dict(_search(unplaced, "01060"))
    occ = next(
        o for o in occurrences_between(unplaced["pleasant-st"], NOW, NOW + timedelta(days=7))
    )
    for lang, about in (("en", "about 1 mi"), ("es", "unas 1 mi")):
        item = ListItem(number=1, occurrence=occ, miles=found["pleasant-st"])
        body = render(
            (MeetingList(Text("heading_near", {"place": "01060"}), (item,), False),), lang, NOW
        )
        assert about in body and ".0 mi" not in body
    exported = meeting_to_feed(unplaced["amherst"], None)
    assert "latitude" not in exported and "longitude" not in exported
    assert meeting_to_feed(unplaced["pinned"], None)["latitude"] == 42.3251


def test_coordinates_only_meeting_shows_the_nearest_town(parsed: dict[str, Meeting]) -> None:
    occ = occurrence_on(parsed["coordinate-zone"], date(2026, 11, 26))
    assert occ is not None
    assert where("en", occ) == "Denver"


@pytest.mark.parametrize("language", ["en", "es"])
def test_details_show_the_link_password_and_the_room_notes(
    parsed: dict[str, Meeting], language: str
) -> None:
    from dataclasses import replace

    hybrid = replace(
        parsed["dial-in"],
        attendance="hybrid",
        address="52 Pleasant St, Northampton, MA 01060",
        conference_url_notes="Password: serenity",
        location_notes="Side door, wheelchair accessible",
        notes="Coffee after.",
    )
    occ = occurrence_on(hybrid, date(2026, 11, 27))
    body = render((MeetingDetails(1, occ, None, "open"),), language, NOW)
    assert "(Password: serenity)" in body
    assert "Side door, wheelchair accessible" in body and "Coffee after." in body
    # Too much to say: the meeting's notes give way first, then the room's, never the password.
    crowded = replace(hybrid, notes="Bring a friend. " * 40, location_notes="Ramp. " * 60)
    occ = occurrence_on(crowded, date(2026, 11, 27))
    body = render((MeetingDetails(1, occ, None, "open"),), language, NOW)
    assert segments(to_gsm(body)) <= 3
    assert "(Password: serenity)" in body and "Passcode: 8642" in body
    assert "Ramp." in body and "Bring a friend" not in body


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "About the place: Side door, wheelchair accessible."), ("es", "Sobre el lugar:")],
)
def test_voice_details_say_the_room_notes(
    parsed: dict[str, Meeting], language: str, said: str
) -> None:
    from dataclasses import replace

    from flows.model import Directory
    from flows.render_voice import content

    m = replace(parsed["html-notes"], location_notes="Side door, wheelchair accessible")
    occ = occurrence_on(m, date(2026, 11, 24))
    spoken = " ".join(content((MeetingDetails(1, occ, None, "open"),), language, NOW, Directory()))
    assert said in spoken and "wheelchair accessible" in spoken


@pytest.mark.parametrize(
    ("fields", "city", "state"),
    [
        ({"formatted_address": "Northampton, MA, USA"}, "Northampton", "MA"),
        ({"formatted_address": "1 Main St, Northampton, MA 01060, USA"}, "Northampton", "MA"),
        ({"address": "9 Pine Rd", "postal_code": "95005"}, "Ben Lomond", "CA"),  # by the ZIP
    ],
)
def test_the_state_an_address_names_is_kept_and_exported(
    fields: dict[str, str], city: str, state: str
) -> None:
    meeting = parse_feed(one(timezone="America/New_York", **fields), existing_groups={}).meetings[
        "m"
    ]
    exported = meeting_to_feed(meeting, None)
    assert (exported.get("city"), exported.get("state")) == (city, state)


def test_voice_never_says_less_than_a_mile_for_an_approximate_place(
    unplaced: dict[str, Meeting],
) -> None:
    from flows.render_voice import where as spoken_where

    approximate = occurrence_on(unplaced["pleasant-st"], date(2026, 11, 24))
    pinned = occurrence_on(unplaced["pinned"], date(2026, 11, 24))
    assert spoken_where("en", approximate, 0.0).endswith("about a mile away")
    assert spoken_where("en", pinned, 0.2).endswith("less than a mile away")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_reminder_carries_the_links_password_when_it_fits_whole(
    parsed: dict[str, Meeting], language: str
) -> None:
    from dataclasses import replace

    from flows.render_sms import reminder_text

    m = replace(parsed["dial-in"], conference_url_notes="Password: serenity")
    body = reminder_text(language, occurrence_on(m, date(2026, 11, 27)), NOW)
    assert "(Password: serenity)" in body and segments(to_gsm(body)) <= 3
    wordy = replace(m, conference_url_notes="Password: serenity. " * 10)
    body = reminder_text(language, occurrence_on(wordy, date(2026, 11, 27)), NOW)
    assert "Password" not in body and segments(to_gsm(body)) <= 3
