"""Stoplight Prism, installed from the npm registry into a cache folder by the bench itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["PRISM_VERSION", "ensure_prism"]

PRISM_VERSION = "5.16.0"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "prism"


def ensure_prism() -> Path | None:
    """Prism's executable, installed on first use; None (and why) where npm is missing."""
    executable = CACHE / "node_modules" / ".bin" / "prism"
    marker = CACHE / f".installed-{PRISM_VERSION}"
    if marker.exists() and executable.exists():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        print("Prism skipped: npm is not on PATH (make bench puts .venv's Node.js there)")
        return None
    print(f"installing @stoplight/prism-cli@{PRISM_VERSION} into {CACHE}", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--loglevel=error",
         f"@stoplight/prism-cli@{PRISM_VERSION}"],
        check=True,
    )  # fmt: skip
    marker.touch()
    return executable
