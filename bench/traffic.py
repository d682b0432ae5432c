"""A realistic stream of inbound texts, as Twilio would post them: form-encoded and signed.

Each request is one line "X-Twilio-Signature<TAB>body", the format signed_requests.lua and
rate_client.py read. Signatures have no timestamp, so requests can be signed ahead of time;
every request gets a MessageSid of its own, so none is a duplicate delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

from twilio.request_validator import RequestValidator

# What people text, with weights in percent (they add up to 100).
UNKNOWN_WORDS = ["thanks", "ok", "Thank you!", "where is it?", "lol", "\U0001f44d", "cool"]
MIX: list[tuple[str, float]] = [
    # MEETINGS 30%
    ("MEETINGS", 19),
    ("meetings", 6),
    ("Meetings", 2),
    ("reuniones", 2),
    ("mtgs", 1),
    # a list number 20%
    ("@number", 20),
    # MORE 10%
    ("MORE", 6),
    ("more", 3),
    ("mas", 1),
    # WELCOME / AGREEMENTS 10%
    ("WELCOME", 4),
    ("welcome", 1),
    ("AGREEMENTS", 4),
    ("agreements", 1),
    # a zip code or a town 10%
    ("@zip_near", 6),
    ("@zip_far", 2),
    ("@town", 2),
    # MEETINGS TODAY / ONLINE 10%
    ("MEETINGS TODAY", 4),
    ("meetings online", 4),
    ("MEETINGS TOMORROW", 1),
    ("online meetings today", 1),
    # HELP / MENU / words the line does not know 10%
    ("HELP", 3),
    ("MENU", 2),
    ("hi", 1),
    ("@unknown", 4),
]
CATEGORIES = {
    "MEETINGS": 30,
    "list number": 20,
    "MORE": 10,
    "WELCOME/AGREEMENTS": 10,
    "zip code (8) or town (2)": 10,
    "MEETINGS TODAY/ONLINE/TOMORROW": 10,
    "HELP/MENU/unknown words": 10,
}
AREA_CODES = ["413", "617", "401", "212", "215", "404", "312", "713", "303", "602", "415", "213"]
AREA_CODES += ["206", "503", "907", "808", "718", "412", "504", "512"]
# Twilio's own number the texts are sent to, and the account.
TO = "+14135550100"
ACCOUNT = "AC" + "5" * 32


def sign(token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's signature: HMAC-SHA1 over the URL and the sorted name+value pairs."""
    data = url + "".join(name + params[name] for name in sorted(params))
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def check_signer(token: str, url: str) -> None:
    """Our fast signer agrees with the twilio library's (the app validates with the latter)."""
    params = {"Body": "MEETINGS 01060 ñ \U0001f44d", "From": "+14135550123", "MessageSid": "SM1"}
    expected = RequestValidator(token).compute_signature(url, params)
    if sign(token, url, params) != expected:
        raise RuntimeError("bench signer disagrees with twilio.request_validator")


class Texts:
    """Texts from many distinct phone numbers, in the MIX proportions."""

    def __init__(
        self,
        near_zips: list[str],
        far_zips: list[str],
        towns: list[str],
        phones: int = 10_000,
        seed: int = 7,
    ) -> None:
        self.rng = random.Random(seed)
        self.near_zips, self.far_zips, self.towns = near_zips, far_zips, towns
        numbers = {
            f"+1{self.rng.choice(AREA_CODES)}555{self.rng.randrange(10_000):04d}"
            for _ in range(phones * 2)
        }
        self.phones = sorted(numbers)[:phones]
        self.rng.shuffle(self.phones)
        self.choices = [word for word, _ in MIX]
        self.weights = [weight for _, weight in MIX]

    def body(self) -> str:
        word = self.rng.choices(self.choices, self.weights)[0]
        match word:
            case "@number":
                return str(self.rng.choice([1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 12]))
            case "@zip_near":
                return self.rng.choice(self.near_zips)
            case "@zip_far":
                return self.rng.choice(self.far_zips)
            case "@town":
                return f"meetings {self.rng.choice(self.towns)}"
            case "@unknown":
                return self.rng.choice(UNKNOWN_WORDS)
        return word

    def phone(self) -> str:
        return self.rng.choice(self.phones)


class Signer:
    """Signed, form-encoded webhook bodies with MessageSids never used before."""

    def __init__(self, token: str, url: str, texts: Texts) -> None:
        check_signer(token, url)
        self.token, self.url, self.texts = token, url, texts
        self.run = texts.rng.getrandbits(32)
        self.count = 0

    def lines(self, n: int) -> Iterator[str]:
        for _ in range(n):
            self.count += 1
            sid = f"SM{self.run:08x}{self.count:024x}"
            number = self.texts.phone()
            params = {
                "ToCountry": "US",
                "ToState": "MA",
                "SmsMessageSid": sid,
                "NumMedia": "0",
                "ToCity": "NORTHAMPTON",
                "FromZip": "",
                "SmsSid": sid,
                "FromState": "",
                "SmsStatus": "received",
                "FromCity": "",
                "Body": self.texts.body(),
                "FromCountry": "US",
                "To": TO,
                "ToZip": "01060",
                "NumSegments": "1",
                "MessageSid": sid,
                "AccountSid": ACCOUNT,
                "From": number,
                "ApiVersion": "2010-04-01",
            }
            body = "&".join(f"{k}={quote_plus(v)}" for k, v in params.items())
            yield f"{sign(self.token, self.url, params)}\t{body}"

    def write(self, path: Path, n: int) -> Path:
        with path.open("w", encoding="utf-8") as out:
            for line in self.lines(n):
                out.write(line + "\n")
        return path
