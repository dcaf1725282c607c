"""How much state the growth test makes the mock hold, which the docs state."""

from __future__ import annotations

ADDED, ISSUED = 50_000, 20_000
"""Tokens added (as the admin API adds them), and logins (each with its access token, refresh
token and code), with as many scenarios for other tokens."""
