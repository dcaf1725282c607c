"""For the end-of-session report: how many cases each schemathesis run generated, and the
tables the runs printed."""

from __future__ import annotations

from collections import Counter

GENERATED: Counter[str] = Counter()

TABLES: dict[str, str] = {}
