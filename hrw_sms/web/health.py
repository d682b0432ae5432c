"""GET /healthz and GET /meetings.json."""

from __future__ import annotations

import redis
from flask import Blueprint, Response, current_app, jsonify

from hrw_sms.handlers.services import Services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """GET /healthz: 200 {"status": "ok"} when Redis answers, else 503 saying why."""
    services: Services = current_app.extensions["hrw"]
    try:
        services.redis.ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        return jsonify(status="unavailable", redis=f"unreachable: {type(exc).__name__}"), 503
    return jsonify(status="ok", redis="ok"), 200


@bp.get("/meetings.json")
def meetings() -> tuple[Response, int]:
    """GET /meetings.json: the directory as a Meeting Guide feed (Meeting Guide spec); 503
    when Redis is down."""
    services: Services = current_app.extensions["hrw"]
    try:
        feed = services.directory.export_feed()
    except (redis.exceptions.RedisError, OSError):
        return jsonify(error="the directory is unavailable right now"), 503
    response = current_app.json.response(feed)
    return response, 200
