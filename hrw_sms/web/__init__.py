"""The Flask blueprints: /sms, /voice, /status, /healthz, /meetings.json, and the Twilio
signature checks. The console (a sub-package of its own) comes here.

May use: handlers/ and everything below it. Never workers/, demo/ or cli/.
"""
