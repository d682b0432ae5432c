"""The peer line's scheduled job: an ask nobody took, or a conversation gone quiet, ends."""

from __future__ import annotations

from hrw_sms.handlers import peer
from workers.runtime import job_runtime


def check_relay(relay_id: str) -> str:
    """Look at one ask or conversation (hrw_sms.handlers.peer.check); what happened."""
    return peer.check(job_runtime().services, relay_id)
