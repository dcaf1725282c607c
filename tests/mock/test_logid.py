from __future__ import annotations

import re
import time

from mock_server.logid import new_log_id


def test_format_and_freshness() -> None:
    before = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    ids = [new_log_id() for _ in range(1000)]
    after = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    assert all(re.fullmatch(r"\d{14}[0-9A-F]{20}", log_id) for log_id in ids)
    assert all(before <= log_id[:14] <= after for log_id in ids)
    assert len(set(ids)) == 1000
