"""The `hrw-sms` command line: a thin layer over the library. Only this package imports click."""

from __future__ import annotations

import importlib

import click

from hrw_sms.cli import (
    broadcasts,
    coordinators,
    directory,
    flows,
    hosts,
    identity,
    operators,
    worker,
)
from hrw_sms.cli import peer as peer_line
from hrw_sms.cli.context import CliContext

# The commands that serve the web app load their modules (and with them Flask, the app and
# the demo stack) only when they run or are listed, so that every other command, the
# Procfile's worker among them, never imports the web layer (click's lazy subcommands).
SERVING = {"chat": "hrw_sms.cli.chat", "demo": "hrw_sms.cli.demo"}


class Commands(click.Group):
    """The `hrw-sms` group: the commands registered on it, and the SERVING ones by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted (the SERVING ones too, unloaded)."""
        return sorted({*super().list_commands(ctx), *SERVING})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named `cmd_name`; a SERVING one's module is imported now."""
        if cmd_name in SERVING:
            module = importlib.import_module(SERVING[cmd_name])
            return next(c for c in module.COMMANDS if c.name == cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """HRW-SMS: the text-and-voice line for Harm Reduction Works-HRW meetings."""
    # A program that embeds the CLI (the tests) may pass obj={"clock": ...} to set its time.
    ctx.obj = CliContext(ctx, **(ctx.obj or {}))


def _register() -> None:
    modules = (broadcasts, coordinators, directory, flows, hosts, peer_line, worker)
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)
    for command in identity.COMMANDS + operators.COMMANDS:
        main.add_command(command)


_register()
