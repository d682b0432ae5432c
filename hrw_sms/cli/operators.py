"""`hrw-sms operator add/remove/list`: who may sign in to the console for every group."""

from __future__ import annotations

import click

from hrw_sms.base.phone import mask
from hrw_sms.cli.context import CliContext
from hrw_sms.cli.hosts import e164_or_fail, refusals, services_for
from hrw_sms.store import console, operators


@click.group("operator")
def operator_command() -> None:
    """Operators: may sign in to the console (/console) for every group."""


@operator_command.command("add")
@click.argument("phone")
@click.pass_obj
def operator_add(obj: CliContext, phone: str) -> None:
    """Make PHONE an operator."""
    number = e164_or_fail(phone)
    services = services_for(obj)
    with refusals("operator add"):
        new = operators.add(services.redis, services.number_id(number), number)
    click.echo(f"{mask(number)} {'is now' if new else 'was already'} an operator")


@operator_command.command("remove")
@click.argument("phone")
@click.pass_obj
def operator_remove(obj: CliContext, phone: str) -> None:
    """Stop PHONE being an operator; their console sessions end at once."""
    number = e164_or_fail(phone)
    services = services_for(obj)
    with refusals("operator remove"):
        nid = services.number_id(number)
        removed = operators.remove(services.redis, nid)
        if removed:
            console.end_sessions_of(services.redis, nid)
    if not removed:
        raise click.ClickException(f"operator remove: {mask(number)} is not an operator")
    click.echo(f"{mask(number)} is no longer an operator")


@operator_command.command("list")
@click.pass_obj
def operator_list(obj: CliContext) -> None:
    """List the operators (numbers masked)."""
    services = services_for(obj)
    with refusals("operator list"):
        numbers = operators.listing(services.redis)
    for number in numbers:
        click.echo(mask(number))
    if not numbers:
        click.echo("no operators yet: `hrw-sms operator add PHONE`", err=True)


COMMANDS: list[click.Command] = [operator_command]
