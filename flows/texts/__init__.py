"""Message catalogs: every word HRW-SMS says, in English and Spanish."""

from __future__ import annotations

from flows.texts import en, es

CATALOGS: dict[str, dict[str, str]] = {"en": en.TEXTS, "es": es.TEXTS}


def template(language: str, key: str) -> str:
    """The catalog text `key` in `language` (English when Spanish lacks it), not filled in:
    for a caller that must see which parameters it names. Raises KeyError for an unknown key."""
    return CATALOGS.get(language, en.TEXTS).get(key) or en.TEXTS[key]


def text(language: str, key: str, **params: object) -> str:
    """The catalog text `key` in `language` (English when Spanish lacks it), filled in. A text
    with a `count` of 1 is its singular form, "<key>_one" ("1 person", "1 persona suscrita"),
    where the catalogs have one: the one place number agreement is chosen.

    Always formatted, so a template missing one of its parameters raises KeyError (the
    caller logs it) instead of sending a literal `{name}`. Raises KeyError for an unknown key."""
    catalog = CATALOGS.get(language, en.TEXTS)
    if params.get("count") == 1 and f"{key}_one" in en.TEXTS:
        key = f"{key}_one"
    template = catalog.get(key) or en.TEXTS[key]
    return template.format(**params)


def with_contact(language: str, params: dict[str, object], contact: str | None) -> dict:
    """`params` plus `contact`, the way to reach a person (HRW_HELP_CONTACT, or the catalog's
    default_contact): the one place both the SMS and the voice renderers fill it in."""
    return {**params, "contact": contact or text(language, "default_contact")}
