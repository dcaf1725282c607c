"""Commands the benchmark needs from Debian's packages, installed where they are missing."""

from __future__ import annotations

import shutil
import subprocess

__all__ = ["ensure"]


def ensure(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` first where it is missing."""
    found = shutil.which(command)
    if found is None:
        print(f"{command} is missing: installing Debian's package {package}", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True)
        found = shutil.which(command)
    if found is None:
        raise RuntimeError(f"{command} is not installed and could not be installed with apt-get")
    return found
