"""`hrw-sms demo`: the service on http://127.0.0.1:5000 with example meetings and a worker."""

from __future__ import annotations

import threading

import click

from hrw_sms.app import create_app
from hrw_sms.cli.context import CliContext
from hrw_sms.demo import simulator
from hrw_sms.demo import world as d
from hrw_sms.demo.local_carrier import blueprint
from hrw_sms.demo.loopback import is_loopback
from hrw_sms.meetings.directory import DirectoryStore
from workers.periodic import book_tick
from workers.runtime import Runtime
from workers.worker import build_worker

WILDCARD = ("0.0.0.0", "::", "")


def on_loopback(host: str) -> bool:
    """True when `host` (a name or address to listen on) only answers this machine."""
    return host == "localhost" or is_loopback(host)


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback needs TWILIO_AUTH_TOKEN.",
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-examples", is_flag=True, help="Do not load the bundled example meetings.")
@click.pass_obj
def demo(obj: CliContext, host: str, port: int, no_examples: bool) -> None:
    """Run the whole service locally: web, worker and example meetings."""
    obj.hash_key_required = False  # the demo may make and keep its own number hash key
    settings = obj.settings
    if not settings.signatures_required and not on_loopback(host):
        raise click.ClickException(
            f"--host {host}: without TWILIO_AUTH_TOKEN the demo only listens on loopback"
        )
    client = obj.redis()
    click.echo(f"Store: {obj.store_description}")
    if not no_examples:
        summary = d.load_examples(DirectoryStore(client))
        click.echo(f"Example meetings (clearly marked as examples): {summary.describe()}")
    shown = "127.0.0.1" if host in WILDCARD else f"[{host}]" if ":" in host else host
    local = f"http://{shown}:{port}"
    clock = simulator.DemoClock()
    app = create_app({"redis": client, "clock": clock, "hash_key_required": False})
    app.register_blueprint(blueprint(d.show_text(click.echo)))
    services = app.extensions["hrw"]
    simulator.register(app, clock, d.set_up_people(services))
    server = d.serve_in_background(app, host, port)
    # The simulator and the local carrier answer loopback clients only: bound to one other
    # address, the demo also listens on a loopback port of its own for them and the workers.
    inside, private = local, None
    if not (on_loopback(host) or host in WILDCARD):
        private = d.serve_in_background(app, "127.0.0.1", 0)
        inside = f"http://127.0.0.1:{private.server_port}"

    outbound = d.worker_settings(settings, inside)
    worker = build_worker(Runtime(outbound, client, clock=clock))  # its jobs on the demo's clock
    stop = threading.Event()
    d.release_scheduled(client, services.clock, stop)
    book_tick(client, services.clock())

    checks = "on" if settings.signatures_required else "off (no TWILIO_AUTH_TOKEN)"
    click.echo(f"Signature checks: {checks}")
    sender = "Twilio" if outbound is settings else "the demo's local carrier (printed here)"
    click.echo(f"Outbound texts go to {sender}.")
    click.echo(f"Serving on {local}. On this machine, open {inside}/ for the phone simulator")
    click.echo("(it answers only loopback clients), or text with:\n")
    click.echo(f"  {d.curl_line(settings, local)}\n")
    click.echo(
        f"The coordinators' console: {inside}/console (sign in as the example coordinator, "
        f"{d.DEMO_COORDINATOR}; the code shows in the simulator's outbox and here)."
    )
    click.echo("Then text 1 for details, REMIND 1, WELCOME, AGREEMENTS, ESPANOL. Ctrl-C stops.")
    try:
        worker.work(with_scheduler=False, logging_level="WARNING")
    finally:
        stop.set()
        server.shutdown()
        if private is not None:
            private.shutdown()


COMMANDS: list[click.Command] = [demo]
