"""The words people really text, end to end through the signed /sms webhook: opt-out
spellings, Spanish stop words, and sentences that only mention stopping."""

from __future__ import annotations

from datetime import datetime

import pytest
import redis
from flask import Flask

from hrw_sms.store import keys
from tests.conftest import PUBLIC_URL, TOKEN
from tests.webhook import Phone, line_app, message_texts

NOW = datetime.fromisoformat("2026-11-24T15:00:00-05:00")  # a Tuesday afternoon
NUMBER = "+14135550123"


@pytest.fixture
def app(redis_url: str) -> Flask:
    return line_app(redis_url, NOW)


@pytest.fixture
def phone(app: Flask) -> Phone:
    return Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL)


def _opted_out(r: redis.Redis) -> int:
    return int(r.scard(keys.OPTED_OUT))


@pytest.mark.parametrize(
    ("spelling", "confirmation"),
    [
        ("stop all", "you won't get more texts"),
        ("STOP ALL", "you won't get more texts"),
        ("Stop-All", "you won't get more texts"),
        ("un-subscribe", "you won't get more texts"),
        ("opt out", "you won't get more texts"),
        ("Opt-Out", "you won't get more texts"),
        ("STOP 🛑", "you won't get more texts"),
        ("ALTO", "dejamos de enviarte mensajes"),
        ("parar!", "dejamos de enviarte mensajes"),
        ("Baja", "dejamos de enviarte mensajes"),
        ("CANCELAR", "dejamos de enviarte mensajes"),
        ("no más", "dejamos de enviarte mensajes"),
    ],
)
def test_opt_out_spellings_the_carrier_does_not_know_opt_out_and_are_confirmed_once(
    phone: Phone, r: redis.Redis, spelling: str, confirmation: str
) -> None:
    assert phone.text("MEETINGS").startswith("Coming up:")
    response = phone.post(spelling)
    assert response.status_code == 200
    texts = message_texts(response.data)
    assert len(texts) == 1 and confirmation in texts[0] and "START" in texts[0]
    assert _opted_out(r) == 1
    # Nothing more, even the same word again, until START.
    assert phone.text(spelling) == "" and phone.text("MEETINGS") == ""
    assert phone.text("START") != "" and _opted_out(r) == 0
    assert "1. " in phone.text("MEETINGS")  # the list again, in whichever language


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "CANCEL"])
def test_carrier_words_opt_out_with_an_empty_answer(
    phone: Phone, r: redis.Redis, word: str
) -> None:
    response = phone.post(word)
    assert response.status_code == 200 and message_texts(response.data) == []
    assert _opted_out(r) == 1


@pytest.mark.parametrize(
    "sentence", ["I want to stop drinking", "stop texting me", "cancel my texts", "the end"]
)
def test_a_sentence_that_mentions_stopping_gets_the_hint_and_opts_nobody_out(
    phone: Phone, r: redis.Redis, sentence: str
) -> None:
    reply = phone.text(sentence)
    assert reply.startswith("To stop all texts from this number, reply with just the word STOP")
    assert "didn't catch" not in reply
    assert _opted_out(r) == 0
    assert phone.text("MEETINGS").startswith("Coming up:")
