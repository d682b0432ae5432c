"""`hrw-sms volunteer ...` and `hrw-sms shift ...` against a real Redis; FORGET takes the role."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hrw_sms.store import keys, volunteers
from tests.worker_world import World, world_at

NY = ZoneInfo("America/New_York")
GROUP = "hrw-northampton"
V1 = "+14135550401"


@pytest.fixture
def world(redis_url: str):
    with world_at(redis_url, datetime(2026, 12, 1, 19, 0, tzinfo=NY)) as w:
        yield w


def ok(world: World, *args: str) -> str:
    result = world.cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(world: World, *args: str) -> str:
    before = {k: world.redis.dump(k) for k in world.redis.scan_iter("hrw:*")}
    result = world.cli(*args)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert {k: world.redis.dump(k) for k in world.redis.scan_iter("hrw:*")} == before
    return lines[0]


def test_volunteers_and_shifts_are_added_listed_and_removed_masked(world: World) -> None:
    assert ok(world, "volunteer", "add", "(413) 555-0401", "--group", GROUP) == (
        f"+1******0401 is now a volunteer of {GROUP}\n"
    )
    assert "was already" in ok(world, "volunteer", "add", V1, "--group", GROUP)
    shift = ("--group", GROUP, "--day", "Fri", "--from", "22:00", "--to", "02:00")
    assert "now has" in ok(world, "shift", "add", V1, *shift)
    assert "now has" in ok(world, "shift", "add", V1, "--group", GROUP, "--day", "2",
                           "--from", "18:00", "--to", "21:00")  # fmt: skip
    listed = ok(world, "shift", "list")
    assert f"{GROUP}\t+1******0401\tTue 18:00-21:00\ton shift now\n" in listed
    assert f"{GROUP}\t+1******0401\tFri 22:00-02:00 (next day)\n" in listed
    assert ok(world, "volunteer", "list") == (
        f"{GROUP}\t+1******0401\tTue 18:00-21:00, Fri 22:00-02:00 (next day)\n"
    )
    assert "no longer has" in ok(world, "shift", "remove", V1, *shift)
    assert "no longer volunteers" in ok(world, "volunteer", "remove", V1, "--group", GROUP)
    assert world.redis.hlen(keys.group_shifts(GROUP)) == 0  # their shifts went with them
    assert "0401" not in ok(world, "volunteer", "list")


def test_bad_input_is_refused_in_one_line_changing_nothing(world: World) -> None:
    ok(world, "volunteer", "add", V1, "--group", GROUP)
    good = ("--group", GROUP, "--from", "18:00", "--to", "21:00")
    assert "day 'Moonday'" in refused(world, "shift", "add", V1, "--day", "Moonday", *good)
    assert "day '7'" in refused(world, "shift", "add", V1, "--day", "7", *good)
    assert "time '25:00'" in refused(
        world,
        "shift",
        "add",
        V1,
        "--day",
        "Mon",
        "--group",
        GROUP,
        "--from",
        "25:00",
        "--to",
        "2:00",
    )
    assert "not a volunteer" in refused(
        world, "shift", "add", "+14135550499", "--day", "Mon", *good
    )
    assert "no group 'nope'" in refused(world, "volunteer", "add", V1, "--group", "nope")
    assert refused(world, "volunteer", "add", "12", "--group", GROUP)  # not a phone number
    assert "no shift" in refused(world, "shift", "remove", V1, "--day", "Mon", *good)
    assert "not a volunteer" in refused(
        world, "volunteer", "remove", "+14135550499", "--group", GROUP
    )


def test_forget_takes_the_volunteer_role_and_shifts(world: World) -> None:
    ok(world, "volunteer", "add", V1, "--group", GROUP)
    ok(
        world,
        "shift",
        "add",
        V1,
        "--group",
        GROUP,
        "--day",
        "Tue",
        "--from",
        "18:00",
        "--to",
        "21:00",
    )
    phone = world.phone(V1)
    assert "erases everything" in phone.text("FORGET")
    assert "erased" in phone.text("YES")
    nid = world.app.extensions["hrw"].number_id(V1)
    assert not volunteers.is_volunteer(world.redis, nid)
    assert world.redis.hlen(keys.group_shifts(GROUP)) == 0
    assert [k for k in world.redis.scan_iter("hrw:volunteer*")] == []


def test_channel_addresses_and_unknown_groups_are_refused_by_name(world: World) -> None:
    """A volunteer is rung and texted on a plain number: whatsapp:+1... is refused (it was
    taken as the plain number); a mistyped group is named as such."""
    for doing in ("add", "remove"):
        line = refused(world, "volunteer", doing, "whatsapp:+14135550405", "--group", GROUP)
        assert "not a plain phone number" in line
    assert "+14135550405" not in ok(world, "volunteer", "list")
    ok(world, "volunteer", "add", V1, "--group", GROUP)
    assert "not a plain phone number" in refused(world, "shift", "add", f"whatsapp:{V1}",
        "--group", GROUP, "--day", "Tue", "--from", "18:00", "--to", "21:00")  # fmt: skip
    assert "no group 'nope'" in refused(world, "volunteer", "remove", V1, "--group", "nope")


def test_overlapping_shifts_of_one_volunteer_are_refused_naming_the_overlap(
    world: World,
) -> None:
    ok(world, "volunteer", "add", V1, "--group", GROUP)
    shift = ("--group", GROUP)
    ok(world, "shift", "add", V1, *shift, "--day", "Tue", "--from", "18:00", "--to", "22:00")
    line = refused(world, "shift", "add", V1, *shift, "--day", "Tue", "--from", "20:00",
                   "--to", "23:00")  # fmt: skip
    assert "Tue 20:00-23:00 overlaps" in line and "Tue 18:00-22:00" in line
    # Past midnight into the next day's early shift, and Sat night into Sun morning.
    ok(world, "shift", "add", V1, *shift, "--day", "Sat", "--from", "22:00", "--to", "02:00")
    assert "Sat 22:00-02:00" in refused(world, "shift", "add", V1, *shift, "--day", "Sun",
                                        "--from", "01:00", "--to", "03:00")  # fmt: skip
    # Touching is not overlapping; the same shift again is as before ("already had").
    ok(world, "shift", "add", V1, *shift, "--day", "Tue", "--from", "22:00", "--to", "23:00")
    assert "already had" in ok(world, "shift", "add", V1, *shift, "--day", "Tue",
                               "--from", "18:00", "--to", "22:00")  # fmt: skip
    # Another volunteer's shift at the same hours is theirs to keep.
    ok(world, "volunteer", "add", "+14135550402", "--group", GROUP)
    ok(world, "shift", "add", "+14135550402", *shift, "--day", "Tue", "--from", "19:00",
       "--to", "21:00")  # fmt: skip
