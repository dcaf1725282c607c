"""Debian's headless Chromium, offline, which opens the rendered reference and the site."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Offline: every host name fails to resolve, so nothing can load from a network.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=15000",
]  # fmt: skip
