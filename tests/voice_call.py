"""Call the voice line exactly as Twilio does: signed webhooks, following each <Gather>
action and <Redirect>; every answer is parsed as TwiML and checked for shape and length."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from flask.testing import FlaskClient

from flows.render_voice import MAX_SAY
from tests.webhook import new_sid, sign

ACCOUNT = "AC" + "0" * 32


def check_twiml(root: ElementTree.Element) -> None:
    """What every voice answer must look like."""
    assert root.tag == "Response"
    verbs = [child.tag for child in root]
    assert (
        verbs == ["Gather", "Redirect"]
        or (verbs[-1] == "Hangup" and set(verbs[:-1]) == {"Say"})
        or (verbs[-1] == "Dial" and set(verbs[:-1]) == {"Say"})  # the peer line rings
    ), verbs
    for say in root.iter("Say"):
        text = "".join(say.itertext())  # <lang> stretches included
        assert 0 < len(text) <= MAX_SAY, (len(text), text)
        assert say.get("language") in ("en-US", "es-US")
        assert say.get("voice")
    gather = root.find("Gather")
    if gather is not None:
        assert gather.get("input") == "dtmf speech"
        assert gather.get("method") == "POST"
        assert gather.get("numDigits") in ("1", "5")
        assert gather.get("language") in ("en-US", "es-US")
        assert "/voice/" in gather.get("action", "")
        assert list(gather) and {c.tag for c in gather} == {"Say"}
        redirect = root.find("Redirect")
        assert redirect is not None and redirect.text == gather.get("action")


class Call:
    """One phone call through the line."""

    def __init__(
        self,
        client: FlaskClient,
        token: str | None,
        public_url: str,
        number: str = "+14135550123",
    ) -> None:
        self.client, self.token, self.public_url, self.number = client, token, public_url, number
        self.sid = new_sid("CA")
        self.root: ElementTree.Element | None = None

    def post(self, url: str, **form: str) -> ElementTree.Element:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        params = {
            "CallSid": self.sid,
            "AccountSid": ACCOUNT,
            "From": self.number,
            "To": "+14135550000",
            "CallStatus": "in-progress",
            "Direction": "inbound",
            **form,
        }
        headers = {}
        if self.token:
            headers["X-Twilio-Signature"] = sign(self.token, self.public_url + path, params)
        response = self.client.post(path, data=params, headers=headers)
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        self.root = ElementTree.fromstring(response.data)
        check_twiml(self.root)
        return self.root

    # --- what a caller does ---

    def start(self) -> str:
        self.post(self.public_url + "/voice")
        return self.heard()

    def press(self, digits: str) -> str:
        self.post(self.action, Digits=digits, FinishedOnKey="")
        return self.heard()

    def say(self, words: str) -> str:
        self.post(self.action, SpeechResult=words, Confidence="0.91")
        return self.heard()

    def wait(self) -> str:
        """Say and press nothing: Twilio follows the <Redirect>."""
        redirect = self.gather_root().find("Redirect")
        assert redirect is not None
        self.post(redirect.text or "")
        return self.heard()

    # --- what the caller hears ---

    def gather_root(self) -> ElementTree.Element:
        assert self.root is not None
        return self.root

    @property
    def gather(self) -> ElementTree.Element:
        gather = self.gather_root().find("Gather")
        assert gather is not None, "the call has ended"
        return gather

    @property
    def action(self) -> str:
        return self.gather.get("action") or ""

    @property
    def menu(self) -> str:
        return urlsplit(self.action).path.rsplit("/", 1)[-1]

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.action).query).items()}

    def says(self) -> list[ElementTree.Element]:
        assert self.root is not None
        return list(self.root.iter("Say"))

    def heard(self) -> str:
        return " ".join("".join(say.itertext()) for say in self.says())

    @property
    def ended(self) -> bool:
        assert self.root is not None
        return self.root.find("Hangup") is not None
