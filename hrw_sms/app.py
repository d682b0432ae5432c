"""The Flask app factory: `gunicorn 'hrw_sms.app:create_app()'`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

import redis
from flask import Flask

from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.base.connection import connect
from hrw_sms.base.logs import setup_logging
from hrw_sms.handlers.services import Services


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `test_config` overrides environment variables; it may also carry
    `clock` (a callable returning an aware datetime) and `redis` (a client)."""
    overrides = dict(test_config or {})
    clock = overrides.pop("clock", None)
    client = overrides.pop("redis", None)
    required = overrides.pop("hash_key_required", True)  # False: the demo only
    settings = Settings.from_env({**os.environ, **overrides}, hash_key_required=required)
    if client is None:
        if not settings.redis_url:
            raise ConfigError("REDIS_URL", "is not set (hrw-sms demo runs an embedded store)")
        client = connect(settings.redis_url)
    setup_logging()
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    services = Services(settings=settings, redis=client)
    if clock is not None:
        services.clock = clock
    services.places.warm()
    with suppress(redis.RedisError):  # Redis down: /healthz says so; checked on first use
        services.load_hash_key()  # a key that differs from one left in Redis stops start-up
    _connect_workers(services)
    app.extensions["hrw"] = services
    _register(app)
    return app


def _connect_workers(services: Services) -> None:
    """Texts sent later and reminder planning go to the RQ queues (never Twilio from here)."""
    from hrw_sms.jobs.queues import enqueue_text
    from workers.hosts import plan_occurrence
    from workers.reminders import plan_meeting

    def outbox(to: str, body: str, message_id: str, kind: str) -> None:
        enqueue_text(services.redis, message_id, to, body, kind)

    services.outbox = outbox
    services.on_schedule_change = lambda slug: plan_meeting(services, slug)
    services.on_hosting_change = lambda slug, day: plan_occurrence(services, slug, day)


def _register(app: Flask) -> None:
    from hrw_sms.web import health, sms, status, voice

    for module in (sms, status, health, voice):
        app.register_blueprint(module.bp)
