"""Message catalogs: every word HRW-SMS says, in English and Spanish."""

from __future__ import annotations

from flows.texts import en, es

CATALOGS: dict[str, dict[str, str]] = {"en": en.TEXTS, "es": es.TEXTS}


def text(language: str, key: str, **params: object) -> str:
    catalog = CATALOGS.get(language, en.TEXTS)
    template = catalog.get(key) or en.TEXTS[key]
    return template.format(**params) if params else template
