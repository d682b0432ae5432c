"""The console's CSRF protection, in a module of its own so that the package (which
registers it) and the blueprints (which call it on every request) import it without a cycle."""

from __future__ import annotations

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()  # registered by hrw_sms.web.console.init_app; checked by each blueprint
