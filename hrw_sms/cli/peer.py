"""`hrw-sms volunteer add/remove/list` and `hrw-sms shift add/list/remove`: the peer line's
volunteers and their weekly shifts (in each group's time zone)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from flows.peer import Shift, ShiftError, on_shift, parse_clock, parse_day
from hrw_sms.base.phone import is_plain_number, mask
from hrw_sms.cli.context import CliContext
from hrw_sms.cli.hosts import e164_or_fail, groups_or_all, known_group, refusals, services_for
from hrw_sms.handlers import peer
from hrw_sms.store import volunteers


def _plain_number(doing: str, phone: str) -> str:
    """PHONE in E.164; a channel address (whatsapp:+1...) or anything but a plain number is
    refused: volunteers are rung and texted on their own number."""
    if not is_plain_number(phone):
        raise click.ClickException(
            f"{doing}: {phone!r} is not a plain phone number (give it like +14135550100)"
        )
    return e164_or_fail(phone)


@click.group("volunteer")
def volunteer_command() -> None:
    """Peer-line volunteers: who may be rung or texted when someone asks to talk."""


@volunteer_command.command("add")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group they volunteer for.")
@click.pass_obj
def volunteer_add(obj: CliContext, phone: str, group_slug: str) -> None:
    """Make PHONE a peer-line volunteer of a group (give them shifts with `shift add`)."""
    number = _plain_number("volunteer add", phone)
    services = services_for(obj)
    with refusals("volunteer add"):
        group = known_group(services, group_slug)
        new = volunteers.add(services.redis, services.number_id(number), number, group)
    click.echo(f"{mask(number)} {'is now' if new else 'was already'} a volunteer of {group}")


@volunteer_command.command("remove")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group they leave.")
@click.pass_obj
def volunteer_remove(obj: CliContext, phone: str, group_slug: str) -> None:
    """Stop PHONE volunteering for a group: their shifts there go, and if they volunteer
    nowhere else, a conversation they hold ends (both sides are told)."""
    number = _plain_number("volunteer remove", phone)
    services = services_for(obj)
    with refusals("volunteer remove"):
        ended = peer.remove_volunteer(services, number, group_slug)
        if ended is None:
            # A mistyped group is named as such; a group gone from the directory still
            # lets its old volunteers be removed (the removal above came first).
            known_group(services, group_slug)
            raise click.ClickException(
                f"volunteer remove: {mask(number)} is not a volunteer of {group_slug}"
            )
    tail = f"; {ended} conversation(s) ended" if ended else ""
    click.echo(f"{mask(number)} no longer volunteers for {group_slug}{tail}")


@volunteer_command.command("list")
@click.option("--group", "group_slug", help="Only this group.")
@click.pass_obj
def volunteer_list(obj: CliContext, group_slug: str | None) -> None:
    """List each group's volunteers (numbers masked) with their shifts."""
    services = services_for(obj)
    with refusals("volunteer list"):
        groups = groups_or_all(services, group_slug)
        members = volunteers.listing(services.redis, groups)
        shifts = {g: volunteers.shifts(services.redis, g) for g in groups}
    for member in members:
        own = [s.describe() for s in shifts[member.group] if s.number_id == member.number_id]
        click.echo(f"{member.group}\t{mask(member.number)}\t{', '.join(own) or 'no shifts'}")
    if not members:
        click.echo("no volunteers yet: `hrw-sms volunteer add PHONE --group SLUG`", err=True)


# --- shifts ---


def _shift(
    obj: CliContext, doing: str, phone: str, group_slug: str, day: str, start: str, end: str
):
    """Check everything before anything changes: (services, group, shift)."""
    number = _plain_number(doing, phone)
    try:
        parsed_day, begins, ends = parse_day(day), parse_clock(start), parse_clock(end)
    except ShiftError as exc:
        raise click.ClickException(f"{doing}: {exc}") from None
    services = services_for(obj)
    with refusals(doing):
        group = known_group(services, group_slug)
        nid = services.number_id(number)
        if not volunteers.is_volunteer(services.redis, nid, group):
            raise click.ClickException(
                f"{doing}: {mask(number)} is not a volunteer of {group} "
                f"(first `hrw-sms volunteer add {phone} --group {group}`)"
            )
    return services, group, number, Shift(nid, parsed_day, begins, ends)


@click.group("shift")
def shift_command() -> None:
    """Volunteers' weekly shifts, in the group's time zone (a shift may pass midnight)."""


_DAY = click.option("--day", required=True, help="Mon..Sun, or 0-6 with 0 = Sunday.")
_FROM = click.option("--from", "start", required=True, help="Start, HH:MM (24-hour).")
_TO = click.option(
    "--to", "end", required=True, help="End, HH:MM; at or before the start = the next day."
)


@shift_command.command("add")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group's time zone applies.")
@_DAY
@_FROM
@_TO
@click.pass_obj
def shift_add(obj: CliContext, phone: str, group_slug: str, day: str, start: str, end: str) -> None:
    """Give volunteer PHONE a weekly shift."""
    services, group, number, shift = _shift(obj, "shift add", phone, group_slug, day, start, end)
    with refusals("shift add"):
        try:
            new = volunteers.add_shift(services.redis, group, shift)
        except volunteers.ShiftClash as exc:  # refused, not merged (store.volunteers)
            raise click.ClickException(
                f"shift add: {shift.describe()} overlaps {mask(number)}'s shift "
                f"{exc.clash.describe()} in {group} (remove that one first, or pick other hours)"
            ) from None
        except volunteers.NotAVolunteer:
            raise click.ClickException(
                f"shift add: {mask(number)} is not a volunteer of {group} "
                f"(first `hrw-sms volunteer add {phone} --group {group}`)"
            ) from None
    verb = "now has" if new else "already had"
    click.echo(f"{mask(number)} {verb} {group}'s shift {shift.describe()}")


@shift_command.command("remove")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group of the shift.")
@_DAY
@_FROM
@_TO
@click.pass_obj
def shift_remove(
    obj: CliContext, phone: str, group_slug: str, day: str, start: str, end: str
) -> None:
    """Take one weekly shift away from volunteer PHONE."""
    services, group, number, shift = _shift(obj, "shift remove", phone, group_slug, day, start, end)
    with refusals("shift remove"):
        removed = volunteers.remove_shift(services.redis, group, shift)
    if not removed:
        raise click.ClickException(
            f"shift remove: {mask(number)} has no shift {shift.describe()} in {group}"
        )
    click.echo(f"{mask(number)} no longer has {group}'s shift {shift.describe()}")


@shift_command.command("list")
@click.option("--group", "group_slug", help="Only this group.")
@click.pass_obj
def shift_list(obj: CliContext, group_slug: str | None) -> None:
    """List each group's weekly shifts (numbers masked), and who is on shift now."""
    services = services_for(obj)
    with refusals("shift list"):
        groups = groups_or_all(services, group_slug)
        now, zones = services.clock(), services.directory.load().groups
        lines = []
        for group in groups:
            zone = ZoneInfo(zones[group].timezone)
            shifts = volunteers.shifts(services.redis, group)
            numbers = volunteers.numbers(services.redis, sorted({s.number_id for s in shifts}))
            for s in shifts:
                here = "\ton shift now" if on_shift([s], zone, now) else ""
                lines.append(f"{group}\t{mask(numbers.get(s.number_id))}\t{s.describe()}{here}")
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("no shifts yet: `hrw-sms shift add PHONE --group SLUG --day ...`", err=True)


COMMANDS: list[click.Command] = [volunteer_command, shift_command]
