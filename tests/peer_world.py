"""What the peer line's text and voice tests share: a group, volunteers on an evening shift,
and the moment they run at."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hrw_sms.store import keys
from tests.worker_world import World

NY = ZoneInfo("America/New_York")
GROUP = "hrw-northampton"
V1, V2, V3 = "+14135550401", "+14135550402", "+14135550403"
# Tuesday 1 December 2026, 7pm in Northampton.
TUESDAY_EVENING = datetime(2026, 12, 1, 19, 0, tzinfo=NY)
USAGE = keys.usage(TUESDAY_EVENING.astimezone(UTC).date())  # the usage day is a UTC day


def on_shift(world: World, *numbers: str, day: str = "Tue") -> None:
    """Make each number a volunteer of GROUP with a 6-10pm shift on `day`, through the CLI."""
    for number in numbers:
        assert world.cli("volunteer", "add", number, "--group", GROUP).exit_code == 0
        added = world.cli(
            "shift", "add", number, "--group", GROUP,
            "--day", day, "--from", "18:00", "--to", "22:00",
        )  # fmt: skip
        assert added.exit_code == 0, added.output
