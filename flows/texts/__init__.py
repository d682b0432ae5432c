"""Message catalogs: every word HRW-SMS says, in English and Spanish."""

from __future__ import annotations

from flows.texts import en, es

CATALOGS: dict[str, dict[str, str]] = {"en": en.TEXTS, "es": es.TEXTS}


def text(language: str, key: str, **params: object) -> str:
    """The catalog text `key` in `language` (English when it has none), filled in. A text
    with a `count` of 1 is its singular form, "<key>_one" ("1 person", "1 persona suscrita"),
    where the catalogs have one: the one place number agreement is chosen."""
    catalog = CATALOGS.get(language, en.TEXTS)
    if params.get("count") == 1 and f"{key}_one" in en.TEXTS:
        key = f"{key}_one"
    template = catalog.get(key) or en.TEXTS[key]
    return template.format(**params) if params else template
