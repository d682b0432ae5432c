"""`hrw-sms coordinator add/remove/list`: who coordinates each group."""

from __future__ import annotations

import click

from hrw_sms.base.phone import mask
from hrw_sms.cli.context import CliContext
from hrw_sms.cli.hosts import e164_or_fail, groups_or_all, known_group, refusals, services_for
from hrw_sms.store import console, coordinators


@click.group("coordinator")
def coordinator_command() -> None:
    """Coordinators: who keeps each group's meetings, hosts and announcements up to date."""


@coordinator_command.command("add")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group they coordinate.")
@click.pass_obj
def coordinator_add(obj: CliContext, phone: str, group_slug: str) -> None:
    """Make PHONE a coordinator of a group."""
    number = e164_or_fail(phone)
    services = services_for(obj)
    with refusals("coordinator add"):
        group = known_group(services, group_slug)
        new = coordinators.add(services.redis, services.number_id(number), number, group)
    click.echo(f"{mask(number)} {'is now' if new else 'was already'} a coordinator of {group}")


@coordinator_command.command("remove")
@click.argument("phone")
@click.option("--group", "group_slug", required=True, help="The group they no longer coordinate.")
@click.pass_obj
def coordinator_remove(obj: CliContext, phone: str, group_slug: str) -> None:
    """Stop PHONE coordinating a group."""
    number = e164_or_fail(phone)
    services = services_for(obj)
    with refusals("coordinator remove"):
        nid = services.number_id(number)
        removed = coordinators.remove(services.redis, nid, group_slug)
        if removed and not coordinators.groups_of(services.redis, nid):
            console.end_sessions_of(services.redis, nid)  # signed out of the console at once
    if not removed:
        raise click.ClickException(
            f"coordinator remove: {mask(number)} is not a coordinator of {group_slug}"
        )
    click.echo(f"{mask(number)} no longer coordinates {group_slug}")


@coordinator_command.command("list")
@click.option("--group", "group_slug", help="Only this group.")
@click.pass_obj
def coordinator_list(obj: CliContext, group_slug: str | None) -> None:
    """List each group's coordinators (numbers masked)."""
    services = services_for(obj)
    with refusals("coordinator list"):
        members = coordinators.listing(services.redis, groups_or_all(services, group_slug))
    for member in members:
        click.echo(f"{member.group}\t{mask(member.number)}")
    if not members:
        click.echo("no coordinators yet: `hrw-sms coordinator add PHONE --group SLUG`", err=True)


COMMANDS: list[click.Command] = [coordinator_command]
