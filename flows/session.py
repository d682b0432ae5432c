"""Per-number conversation state, and what the shell knows about the number."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from flows.model import LANGUAGES, Language

if TYPE_CHECKING:
    from flows.views import CoordinatorView, HostView


@dataclass(frozen=True)
class Session:
    """What a conversation remembers between texts. Expires about an hour after the last one."""

    language: Language = "en"
    listed: tuple[str, ...] = ()  # occurrence refs shown so far, numbered from 1
    query: str = ""  # the search behind `listed`, for MORE
    viewed: str | None = None  # slug of the meeting last viewed, for WELCOME/AGREEMENTS
    pending: str | None = None  # what a YES would confirm
    # A coordinator's unconfirmed broadcast, held only until YES (at most CONFIRM_WINDOW).
    draft: str | None = None
    asked_at: str | None = None  # ISO time the pending question was asked

    def to_json(self) -> str:
        """Compact: empty fields are left out."""
        data = {k: v for k, v in asdict(self).items() if k == "language" or v not in (None, (), "")}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes | None, default_language: Language = "en") -> Session:
        """Read stored state; anything unreadable starts a fresh conversation."""
        if not raw:
            return cls(language=default_language)
        try:
            data = json.loads(raw)
            language = data.get("language")
            return cls(
                language=language if language in LANGUAGES else default_language,
                listed=tuple(str(x) for x in data.get("listed", ()))[:200],
                query=str(data.get("query", "")),
                viewed=data.get("viewed") if isinstance(data.get("viewed"), str) else None,
                pending=_str_or_none(data.get("pending")),
                draft=_str_or_none(data.get("draft")),
                asked_at=_str_or_none(data.get("asked_at")),
            )
        except (ValueError, TypeError, AttributeError):
            return cls(language=default_language)

    def with_(self, **changes: object) -> Session:
        return replace(self, **changes)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Caller:
    """What the shell knows about the number beyond the conversation."""

    opted_out: bool = False
    language: Language | None = None  # a saved choice
    reminders: frozenset[str] = field(default_factory=frozenset)  # meeting slugs
    host: HostView | None = None
    coordinator: CoordinatorView | None = None
