"""The `hrw-sms` command line: a thin layer over the library. Only this package imports click."""

from __future__ import annotations

import click

from hrw_sms.cli import (
    broadcasts,
    chat,
    coordinators,
    demo,
    directory,
    flows,
    hosts,
    identity,
    operators,
    worker,
)
from hrw_sms.cli import peer as peer_line
from hrw_sms.cli.context import CliContext


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """HRW-SMS: the text-and-voice line for Harm Reduction Works-HRW meetings."""
    # A program that embeds the CLI (the tests) may pass obj={"clock": ...} to set its time.
    ctx.obj = CliContext(ctx, **(ctx.obj or {}))


def _register() -> None:
    modules = (broadcasts, chat, coordinators, demo, directory, flows, hosts, peer_line, worker)
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)
    for command in identity.COMMANDS + operators.COMMANDS:
        main.add_command(command)


_register()
