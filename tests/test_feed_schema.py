"""`hrw-sms export` and `/meetings.json` give back what was imported, valid against the Meeting
Guide spec's own JSON schema (vendored in tests/spec_schema/, see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from hrw_sms.app import create_app
from hrw_sms.cli import main
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.meetings.feed import example_feed
from tests.quirky_feeds import quirky_text

SCHEMAS = Path(__file__).parent / "spec_schema"


def validator() -> Draft7Validator:
    """The feed schema with its $refs resolved from the vendored files (no network)."""
    resources = []
    for name in ("feed.schema.json", "meeting.schema.json", "meeting-type.schema.json"):
        schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    feed = json.loads((SCHEMAS / "feed.schema.json").read_text(encoding="utf-8"))
    return Draft7Validator(feed, registry=registry)


def problems(feed: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(feed)]


def test_the_schema_catches_what_it_should() -> None:
    """The check itself can fail: a time without a colon and a spaced dial-in are refused."""
    bad = [{"slug": "a", "name": "A", "time": "1900", "conference_phone": "+1 413 555 0100"}]
    assert len(problems(bad)) == 2


@pytest.mark.parametrize("source", ["quirks", "examples"])
def test_export_is_valid_and_gives_back_what_was_imported(
    redis_url: str, r: redis.Redis, source: str
) -> None:
    text = quirky_text() if source == "quirks" else example_feed()
    env = {"REDIS_URL": redis_url}
    assert CliRunner().invoke(main, ["import", "-"], input=text, env=env).exit_code == 0
    exported = json.loads(CliRunner().invoke(main, ["export"], env=env).stdout)
    assert problems(exported) == []
    version = DirectoryStore(r).version()
    again = CliRunner().invoke(
        main, ["import", "-", "--prune"], input=json.dumps(exported), env=env
    )
    assert again.exit_code == 0
    assert "0 added, 0 updated" in again.stdout and " 0 removed" in again.stdout
    assert DirectoryStore(r).version() == version


def test_export_keeps_appointments_notes_and_attendance(redis_url: str) -> None:
    env = {"REDIS_URL": redis_url}
    CliRunner().invoke(main, ["import", "-"], input=quirky_text(), env=env)
    exported = {
        e["slug"]: e for e in json.loads(CliRunner().invoke(main, ["export"], env=env).stdout)
    }
    appointment = exported["by-appointment"]
    assert "day" not in appointment and "time" not in appointment
    dial = exported["dial-in"]
    assert dial["attendance_option"] == "online"
    assert dial["conference_phone"] == "+13125550101"
    assert dial["conference_phone_notes"] == "Meeting ID: 555 0101 222\nPasscode: 8642"
    assert dial["conference_url_notes"] == "Password: calm"
    assert dial["regions"] == ["Online", "Midwest"]
    assert exported["html-notes"]["location_notes"] == "Parking behind the church"
    assert exported["html-notes"]["formatted_address"] == "14 Elm St, Northampton, MA 01060, USA"
    assert exported["inactive"]["attendance_option"] == "inactive"


def test_meetings_json_is_valid(redis_url: str, r: redis.Redis) -> None:
    DirectoryStore(r).import_feed(quirky_text())
    app = create_app({"REDIS_URL": redis_url})
    response = app.test_client().get("/meetings.json")
    assert response.status_code == 200
    feed = response.get_json()
    assert len(feed) == 9 and problems(feed) == []


# A record real feeds carry: type codes the spec does not define (TSML's "ONL", local
# codes) and Zoom's one-tap dial-in, which the spec's phone pattern refuses.
OFF_SPEC = {
    "slug": "off-spec",
    "name": "Off Spec Online",
    "day": 4,
    "time": "19:00",
    "timezone": "America/Chicago",
    "types": ["O", "XYZ", "ONL", "BOGUS", "S"],
    "conference_url": "https://meet.example.org/j/5550101222",
    "conference_url_notes": "Password: serenity",
    "conference_phone": "+13125550101,,5550101222#,,,,*8642#",
    "attendance_option": "online",
}
TAPPED_WITH_NOTES = {
    **OFF_SPEC,
    "slug": "tapped-noted",
    "conference_phone": "+13125550101,,5550101222#",
    "conference_phone_notes": "Meeting ID: 555 010 1222",
}


def test_export_sends_only_spec_types_and_the_number_of_a_one_tap_dial_in(
    redis_url: str, r: redis.Redis
) -> None:
    store = DirectoryStore(r)
    long_slug = {**OFF_SPEC, "slug": "s" * 65, "types": ["O"]}
    long_name = {**OFF_SPEC, "slug": "long-name", "name": "Circle " * 50, "types": ["O"]}
    store.import_feed(json.dumps([OFF_SPEC, TAPPED_WITH_NOTES, long_slug, long_name]))
    assert store.load().meetings["off-spec"].types == ("O", "XYZ", "ONL", "BOGUS", "S")  # kept
    env = {"REDIS_URL": redis_url}
    exported = json.loads(CliRunner().invoke(main, ["export"], env=env).stdout)
    served = create_app({"REDIS_URL": redis_url}).test_client().get("/meetings.json").get_json()
    for feed in (exported, served):
        assert problems(feed) == []
        by_slug = {e["slug"]: e for e in feed}
        entry = by_slug["off-spec"]
        assert entry["types"] == ["O", "S"]
        assert entry["conference_phone"] == "+13125550101"
        assert entry["conference_phone_notes"] == "Meeting ID: 5550101222\nPasscode: 8642"
        assert "s" * 65 not in by_slug  # a slug the schema cannot carry
        assert len(by_slug["long-name"]["name"]) == 255
        noted = by_slug["tapped-noted"]
        assert noted["conference_phone"] == "+13125550101"
        assert noted["conference_phone_notes"] == "Meeting ID: 555 010 1222"  # not twice


def test_spec_types_are_the_schemas() -> None:
    from hrw_sms.meetings.feed import SPEC_TYPES

    schema = json.loads((SCHEMAS / "meeting-type.schema.json").read_text(encoding="utf-8"))
    assert {code for part in schema["items"]["anyOf"] for code in part["enum"]} == SPEC_TYPES
