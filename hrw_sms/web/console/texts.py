"""The Texts page: the group's own welcome and agreements in each of its languages (its own,
and the other one, for people who chose it), each with a live 3-segment count and a
preview of the exact text that WELCOME / BIENVENIDA or AGREEMENTS answers with.

Saved through meetings.directory.set_texts (the store `hrw-sms group set` writes through);
the preview is flows.render_sms's rendering of the very reply the participant flow gives."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, request

from flows.gsm import dropped, segments
from flows.model import Group
from flows.render_sms import MAX_SEGMENTS, DoesNotFit, render
from flows.replies import GroupText
from hrw_sms.meetings.directory import DirectoryError, check_text
from hrw_sms.web.console import wording
from hrw_sms.web.console.auth import services
from hrw_sms.web.console.groups import _audit, _group, bp

WHICH = ("welcome", "agreements")
NAMES = {"en": "English", "es": "Spanish"}
LABELS = {"welcome": "Welcome", "agreements": "Agreements"}
MARK = "§MSG§"  # GSM-7 characters, so folding the whole text keeps the mark


def field(group: Group, which: str, language: str) -> str:
    """The form field for one text: `welcome`/`agreements` (the contract's names) in the
    group's own language, `welcome_es` and the like in its other one."""
    return which if language == group.language else f"{which}_{language}"


def as_sent(group: Group, which: str, language: str, own: str | None, now: datetime) -> str:
    """The exact text a person reading `language` gets for WELCOME or AGREEMENTS (`which`)
    with `own` as the group's words (None: the line's shared text). Raises DoesNotFit."""
    reply = GroupText(which, own, group.kind, group.name)  # type: ignore[arg-type]
    return render((reply,), language, now)


def frame(group: Group, which: str, language: str, now: datetime) -> tuple[str, str]:
    """What the reply adds before and after the group's words (its name, the next step), for
    the live counter (static/counter.js), so it counts the text as sent."""
    before, _, after = as_sent(group, which, language, MARK, now).partition(MARK)
    return before, after


@bp.route("/groups/<slug>/texts", methods=["GET", "POST"])
def texts(slug: str) -> str | tuple[str, int]:
    """GET the group's own texts in its language and its other one; POST saves all four
    (a box left empty means the line's shared text). A text that does not fit in 3 texts as
    sent is refused, naming which, and nothing is saved."""
    who, group = _group(slug)
    svc = services()
    now = svc.clock()
    languages = (group.language, group.other_language)
    error = done = None
    typed: dict[str, str] | None = None
    if request.method == "POST":
        typed = {field(group, w, lang): (request.form.get(field(group, w, lang)) or "")[:2000]
                 for lang in languages for w in WHICH}  # fmt: skip
        given = {lang: {w: request.form.get(field(group, w, lang)) for w in WHICH}
                 for lang in languages}  # fmt: skip
        try:
            for lang, fields in given.items():
                for which, value in fields.items():
                    _check_fits(group, which, lang, value, now)
            group = svc.directory.set_texts(slug, given)
            changed = [f"{w} ({lang})" for lang, fs in given.items() for w, v in fs.items()
                       if v is not None]  # fmt: skip
            _audit(who, "edit texts", slug, ", ".join(changed) or "nothing")
            done = "Saved. WELCOME and AGREEMENTS (BIENVENIDA, ACUERDOS) now answer as shown."
            typed = None
        except DirectoryError as exc:
            error = wording.sentence(str(exc))
    boxes = []
    for lang in languages:
        for which in WHICH:
            own = group.own_text(which, lang)  # type: ignore[arg-type]
            before, after = frame(group, which, lang, now)
            sent = as_sent(group, which, lang, own, now)
            name = field(group, which, lang)
            # After a refusal the box keeps what was typed; else it shows the saved text.
            value = typed[name] if typed is not None else own or ""
            boxes.append({"field": name, "language": lang, "which": which, "own": own or "",
                          "value": value,
                          "label": LABELS[which] + ("" if lang == group.language
                                                    else f" in {NAMES[lang]}"),
                          "prefix": before, "suffix": after, "sent": sent,
                          "cost": segments(sent),
                          "dropped": wording.dropped_note(dropped(value))})  # fmt: skip
    page = render_template("console/texts.html", who=who, group=group, error=error, done=done,
                           boxes=boxes, names=NAMES, max_segments=MAX_SEGMENTS)  # fmt: skip
    return (page, 400) if error else page


def _check_fits(group: Group, which: str, language: str, value: str | None, now: datetime) -> None:
    """Refuse (DirectoryError) a text that would not fit in MAX_SEGMENTS texts as sent, or
    one the store would refuse (meetings.directory.check_text: mostly emoji and the like,
    which SMS drops), naming the box."""
    if not value or not value.strip():
        return
    label = LABELS[which].lower() + ("" if language == group.language else f" in {NAMES[language]}")
    try:
        cost = segments(as_sent(group, which, language, value, now))
    except DoesNotFit:
        cost = MAX_SEGMENTS + 1
    if cost > MAX_SEGMENTS:
        raise DirectoryError(
            f"the {label} is too long: with the group's name and the next step it would take "
            f"more than {MAX_SEGMENTS} texts. Please shorten it"
        )
    check_text(label, value)
