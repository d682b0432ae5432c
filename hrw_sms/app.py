"""The Flask app factory: `gunicorn 'hrw_sms.app:create_app()'`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

import redis
from flask import Flask

from hrw_sms.base.config import Settings
from hrw_sms.base.logs import setup_logging
from hrw_sms.web import health, sms, status, voice
from hrw_sms.web.console import init_app as console
from hrw_sms.web.sms_endpoint import SmsEndpoint
from workers.wiring import build_services


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `test_config` overrides environment variables; it may also carry
    `clock` (a callable returning an aware datetime) and `redis` (a client), and
    `console=False` for a command that uses the app's wiring but serves no pages (it then
    needs no HRW_SECRET_KEY)."""
    overrides = dict(test_config or {})
    clock = overrides.pop("clock", None)
    client = overrides.pop("redis", None)
    required = overrides.pop("hash_key_required", True)  # False: the demo only
    with_console = overrides.pop("console", True)  # False: CLI commands that only need Services
    settings = Settings.from_env({**os.environ, **overrides}, hash_key_required=required)
    services = build_services(settings, client, clock)  # ConfigError without REDIS_URL
    setup_logging()
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    services.places.warm()
    with suppress(redis.RedisError):  # Redis down: /healthz says so; checked on first use
        services.load_hash_key()  # a key that differs from one left in Redis stops start-up
    app.extensions["hrw"] = services
    _register(app)
    if with_console:
        console(app, services, secret_required=required)  # ConfigError without HRW_SECRET_KEY
    # POST /sms, the hot path, is answered ahead of Flask's routing (README "Benchmarks").
    app.wsgi_app = SmsEndpoint(app, services)  # type: ignore[method-assign]
    return app


def _register(app: Flask) -> None:
    for module in (sms, status, health, voice):
        app.register_blueprint(module.bp)
