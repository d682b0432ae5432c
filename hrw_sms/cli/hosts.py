"""`hrw-sms host add/remove/list/assign/clear/roster`: who hosts, and who hosts which meeting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import click
import redis

from flows.model import Directory
from flows.occurrences import zone
from hrw_sms.base.phone import BadNumber, mask, to_e164
from hrw_sms.cli.context import CliContext
from hrw_sms.handlers import roster
from hrw_sms.handlers.services import Services
from hrw_sms.store import hosts
from workers.hosts import plan_occurrence
from workers.wiring import build_services


def services_for(obj: CliContext) -> Services:
    """The commands' Services, wired as everywhere else (workers.wiring.build_services)."""
    return build_services(obj.settings, obj.redis(), obj.clock)


def e164_or_fail(raw: str) -> str:
    """`raw` as an E.164 number. Raises click.ClickException saying why it is not one."""
    try:
        return to_e164(raw)
    except BadNumber as exc:
        raise click.ClickException(str(exc)) from None


def known_group(services: Services, slug: str) -> str:
    """`slug` unchanged when the directory has that group; else raises click.ClickException."""
    if slug not in services.directory.load().groups:
        raise click.ClickException(f"no group {slug!r} (see `hrw-sms group list`)")
    return slug


def groups_or_all(services: Services, slug: str | None) -> list[str]:
    """[slug] if given (checked by `known_group`), else every group's slug, sorted."""
    return [known_group(services, slug)] if slug else sorted(services.directory.load().groups)


@contextmanager
def refusals(doing: str) -> Iterator[None]:
    """The library's refusals and Redis trouble as one-line CLI errors."""
    try:
        yield
    except hosts.HostError as exc:
        raise click.ClickException(f"{doing}: {exc}") from None
    except redis.RedisError as exc:
        raise click.ClickException(f"{doing}: Redis error: {exc}") from None


# --- hosts ---


@click.group("host")
def host_command() -> None:
    """Hosts: who hosts for each group, and who hosts which meeting on which date."""


@host_command.command("add")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group they host for.")
@click.pass_obj
def host_add(obj: CliContext, phone: str, group_slug: str) -> None:
    """Make PHONE a host of a group."""
    number = e164_or_fail(phone)
    services = services_for(obj)
    with refusals("host add"):
        group = known_group(services, group_slug)
        new = hosts.add_host(services.redis, services.number_id(number), number, group)
    click.echo(f"{mask(number)} {'is now' if new else 'was already'} a host of {group}")


@host_command.command("remove")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group they no longer host for.")
@click.pass_obj
def host_remove(obj: CliContext, phone: str, group_slug: str) -> None:
    """Stop PHONE hosting for a group; their coming meetings there leave the roster."""
    number = e164_or_fail(phone)
    services = services_for(obj)
    with refusals("host remove"):
        nid = services.number_id(number)
        released = hosts.remove_host(services.redis, nid, group_slug, services.clock())
    if released is None:
        raise click.ClickException(f"host remove: {mask(number)} is not a host of {group_slug}")
    note = f"; {released} coming meeting(s) need a host now" if released else ""
    click.echo(f"{mask(number)} no longer hosts for {group_slug}{note}")


@host_command.command("list")
@click.option("--group", "group_slug", help="Only this group.")
@click.pass_obj
def host_list(obj: CliContext, group_slug: str | None) -> None:
    """List each group's hosts (numbers masked)."""
    services = services_for(obj)
    with refusals("host list"):
        members = hosts.listing(services.redis, groups_or_all(services, group_slug))
    for member in members:
        click.echo(f"{member.group}\t{mask(member.number)}")
    if not members:
        click.echo("no hosts yet: add one with `hrw-sms host add PHONE --group SLUG`", err=True)


@host_command.command("assign")
@click.argument("meeting")
@click.argument("day", metavar="DATE")
@click.argument("phone")
@click.pass_obj
def host_assign(obj: CliContext, meeting: str, day: str, phone: str) -> None:
    """Put PHONE on the roster to host MEETING (a slug) on DATE (its local date, YYYY-MM-DD)."""
    try:
        local_day = date.fromisoformat(day)
    except ValueError:
        raise click.ClickException(f"host assign: DATE must be YYYY-MM-DD, got {day!r}") from None
    number = e164_or_fail(phone)
    services = services_for(obj)
    with refusals("host assign"):
        nid = services.number_id(number)
        directory = services.directory.load()
        try:
            rec = hosts.assign(services.redis, directory, meeting, local_day, nid, services.clock())
        except hosts.NotAHost as exc:
            raise click.ClickException(
                f"host assign: {mask(number)} is not a host of {exc.group} "
                f"(add them with `hrw-sms host add PHONE --group {exc.group}`)"
            ) from None
        planned = plan_occurrence(services, meeting, local_day)
    start = _local(rec, directory)
    click.echo(
        f"{mask(number)} hosts {meeting} on {start:%a %Y-%m-%d %H:%M %Z}; "
        f"{planned} job(s) scheduled"
    )


@host_command.command("clear")
@click.argument("meeting")
@click.argument("day", metavar="DATE")
@click.pass_obj
def host_clear(obj: CliContext, meeting: str, day: str) -> None:
    """Clear the host of MEETING (a slug) on DATE (its local date, YYYY-MM-DD): nobody hosts
    it until someone is assigned; a host who had said yes, or had been asked, is told by text."""
    try:
        local_day = date.fromisoformat(day)
    except ValueError:
        raise click.ClickException(f"host clear: DATE must be YYYY-MM-DD, got {day!r}") from None
    services = services_for(obj)
    with refusals("host clear"):
        done = roster.clear_host(services, meeting, local_day, actor=None, channel="cli")
    who = mask(done.host) if done.host else "nobody (declined)"
    tail = "; told by text" if done.told else ""
    click.echo(f"{meeting} on {local_day.isoformat()} has no host now (was {who}, "
               f"{done.record.state}){tail}")  # fmt: skip


def _local(rec: hosts.Hosting, directory: Directory) -> datetime:
    """The occurrence's start in its meeting's time zone (UTC if the meeting is gone)."""
    meeting = directory.meetings.get(rec.meeting)
    return rec.start.astimezone(zone(meeting.timezone)) if meeting else rec.start


@host_command.command("roster")
@click.option("--group", "group_slug", help="Only this group's meetings.")
@click.option("--days", default=28, show_default=True, help="How many days ahead to show.")
@click.pass_obj
def host_roster(obj: CliContext, group_slug: str | None, days: int) -> None:
    """Show who hosts the coming meetings, and whether they confirmed."""
    services = services_for(obj)
    now = services.clock()
    with refusals("host roster"):
        if group_slug:
            known_group(services, group_slug)
        found = hosts.roster(services.redis, now, now + timedelta(days=days), group_slug)
        directory = services.directory.load()
        nids = sorted({n for r in found for n in (r.host, r.cover) if n})
        numbers = hosts.numbers(services.redis, nids)
        exercises = {r.name: hosts.exercise_of(services.redis, r) for r in found}
    for rec in found:
        local = _local(rec, directory)
        state = rec.state
        if rec.cover and rec.state == hosts.COVERED:
            state = f"covered by {mask(numbers.get(rec.cover))}"
        extra = "\texercise set" if exercises.get(rec.name) else ""
        click.echo(
            f"{local:%Y-%m-%d %a %H:%M %Z}\t{rec.meeting}\t{mask(numbers.get(rec.host))}\t"
            f"{state}{extra}"
        )
    if not found:
        click.echo("nothing on the roster: use `hrw-sms host assign MEETING DATE PHONE`", err=True)


COMMANDS: list[click.Command] = [host_command]
