"""Demo endpoints answer only this machine: the client address Flask sees must be loopback.

The simulator signs texts as any number, lists identities, moves the clock and reads the
outbox; the local carrier shows every text "sent". None of that may answer another machine,
whatever address `hrw-sms demo --host` listens on. Only `request.remote_addr` (the socket's
peer) counts: X-Forwarded-For and similar headers are set by the client and prove nothing."""

from __future__ import annotations

import ipaddress
import logging

from flask import Blueprint, Response, jsonify, request

log = logging.getLogger(__name__)


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and an IPv4-mapped loopback (::ffff:127.0.0.1); False for
    anything else, including no address at all (a Unix socket or a test without one)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _refuse_others() -> tuple[Response, int] | None:
    if is_loopback(request.remote_addr):
        return None
    log.warning("demo endpoint refused to a client that is not this machine")
    return jsonify(error="the demo's simulator answers only on this machine (loopback)"), 403


def local_only(bp: Blueprint) -> Blueprint:
    """Make every endpoint of `bp` answer 403 to a client that is not on loopback."""
    bp.before_request(_refuse_others)
    return bp
