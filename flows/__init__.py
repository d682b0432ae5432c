"""Pure conversation logic: no Redis, Flask, Twilio or network in this package."""
