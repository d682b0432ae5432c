"""POST /sms: Twilio's messaging webhook."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from flows.render_sms import render
from flows.replies import Text
from hrw_sms.conversations import handle_text
from hrw_sms.phone import BadNumber, to_e164
from hrw_sms.services import Services
from hrw_sms.webhooks import check_request, reject

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)

MAX_BODY = 1600  # Twilio's own limit for a message body


def twiml(texts: list[str]) -> Response:
    reply = MessagingResponse()
    for text in texts:
        if text:
            reply.message(text)
    return Response(str(reply), mimetype="text/xml")


def fallback_text(services: Services) -> str:
    return render((Text("fallback"),), "en", services.clock(), services.settings.help_contact)


@bp.post("/sms")
def sms() -> Response:
    services: Services = current_app.extensions["hrw"]
    problem = check_request(request, services.settings)
    if problem is not None:
        return problem
    try:
        number = to_e164(request.form.get("From", ""))
    except BadNumber as exc:
        return reject(400, f"From: {exc}")
    body = request.form.get("Body", "")[:MAX_BODY]
    try:
        texts = handle_text(services, number, body, request.form.get("MessageSid"))
    except Exception:
        # Never a 5xx to Twilio: a short apology with the menu words and a way to a person.
        log.exception("could not handle a text; sent the fallback reply")
        texts = [fallback_text(services)]
    return twiml(texts)
