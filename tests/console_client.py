"""A console user in tests: Flask's test client over https, reading CSRF tokens from forms
and sign-in codes from the texts the fake Twilio API received."""

from __future__ import annotations

import re

from werkzeug.test import TestResponse

from tests.conftest import PUBLIC_URL
from tests.worker_world import World

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class ConsoleUser:
    def __init__(self, world: World, number: str) -> None:
        self.world, self.number = world, number
        self.client = world.app.test_client()
        self.token = ""

    def get(self, path: str) -> TestResponse:
        response = self.client.get(path, base_url=PUBLIC_URL)
        found = TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, csrf: bool = True, **form: str) -> TestResponse:
        data = {**form, **({"csrf_token": self.token} if csrf else {})}
        # Over https Flask-WTF also checks the Referer is this site, as a browser sends it.
        response = self.client.post(path, data=data, base_url=PUBLIC_URL,
                                    headers={"Referer": PUBLIC_URL + path})  # fmt: skip
        found = TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def codes(self) -> list[str]:
        """The sign-in codes texted to this user so far (after the workers ran)."""
        self.world.work()
        return [m.group(1) for body in self.world.texts_to(self.number)
                if (m := CODE.search(body))]  # fmt: skip

    def ask_code(self) -> TestResponse:
        self.get("/console")
        return self.post("/console", phone=self.number)

    def sign_in(self) -> TestResponse:
        self.ask_code()
        return self.post("/console/code", phone=self.number, code=self.codes()[-1])
