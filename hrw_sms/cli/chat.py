"""`hrw-sms chat [PHONE]`: the text conversation in a terminal."""

from __future__ import annotations

import sys

import click

from hrw_sms.app import create_app
from hrw_sms.base.phone import BadNumber, to_e164
from hrw_sms.cli.context import CliContext
from hrw_sms.demo import local_webhook
from hrw_sms.demo.world import load_examples


@click.command()
@click.argument("phone", required=False, default="+14135550123")
@click.pass_obj
def chat(obj: CliContext, phone: str) -> None:
    """Text the line from PHONE: one text per line of input, replies printed, until the end."""
    try:
        number = to_e164(phone)
    except BadNumber as exc:
        raise click.ClickException(f"PHONE: {exc}") from None
    app = create_app({"redis": obj.redis(), "console": False})  # no pages: no HRW_SECRET_KEY
    services = app.extensions["hrw"]
    if not obj.settings.redis_configured and not services.directory.load().meetings:
        load_examples(services.directory)  # an empty embedded store: chat with the examples
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(f"Texting as {number}. Type MEETINGS, HELP, ... (Ctrl-D to end)")
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        replies = local_webhook.text(app, number, line.rstrip("\n"))
        if replies is None:
            click.echo("(the line refused that text)")
        elif not replies:
            click.echo("(no reply)")
        for reply in replies or []:
            click.echo(reply)
        click.echo("")


COMMANDS: list[click.Command] = [chat]
