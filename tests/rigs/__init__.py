"""Real servers for the tests: Radicale (CalDAV) and the app itself, on loopback."""
