"""TikTok's `log_id`: a 14-digit UTC timestamp and 20 uppercase hexadecimal characters."""

from __future__ import annotations

import time
from random import getrandbits

__all__ = ["new_log_id"]

_stamp: tuple[int, str] = (0, "")


def new_log_id() -> str:
    """A fresh log id for a response sent now."""
    global _stamp
    now, stamp = int(time.time()), _stamp  # read once: a thread may swap it meanwhile
    if now != stamp[0]:
        stamp = _stamp = (now, time.strftime("%Y%m%d%H%M%S", time.gmtime(now)))
    return f"{stamp[1]}{getrandbits(80):020X}"
