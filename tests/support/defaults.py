"""The default tokens the docs promise, with their scopes: the oracle the tests hold the
fixtures to (tests/mock/test_fixtures.py checks that mock_server/fixtures.yaml grants exactly
these)."""

from __future__ import annotations

from tests.support.seeds import EXAMPLE_TOKEN

BASIC, PROFILE, STATS = "user.info.basic", "user.info.profile", "user.info.stats"

GRANTED: dict[str, set[str]] = {
    EXAMPLE_TOKEN: {BASIC, PROFILE, STATS},
    "act.mock.basic": {BASIC},
    "act.mock.profile": {BASIC, PROFILE},
    "act.mock.stats": {BASIC, STATS},
}
"""The valid default tokens."""
EXPIRED = "act.mock.expired"
