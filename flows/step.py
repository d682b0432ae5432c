"""What one pure step returns: the new session, the replies, the effects (as data).

The shell saves the session (None: delete the conversation), applies the effects, then
renders the replies. Every flow (participant, coordinator, host) returns one.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows import effects as fx
from flows.replies import Reply
from flows.session import Session


@dataclass(frozen=True)
class Step:
    session: Session | None  # None: delete the conversation
    replies: tuple[Reply, ...] = ()
    effects: tuple[fx.Effect, ...] = ()
