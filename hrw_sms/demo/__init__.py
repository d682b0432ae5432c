"""What `hrw-sms demo` runs in place of the world: the embedded store, the local carrier, the
simulator page and its static files, the loopback guard.

May use: anything below cli/ (web/, workers/, handlers/, ...).
"""
