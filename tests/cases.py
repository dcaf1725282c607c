"""How many cases each schemathesis run generated, for the end-of-session report."""

from __future__ import annotations

from collections import Counter

GENERATED: Counter[str] = Counter()
