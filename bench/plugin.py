"""The pytest plugin against pytest-httpserver: the per-test wall time of one 300-test file
written both ways, each run by pytest in a fresh process, best of a few runs."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

__all__ = ["PYTEST_HTTPSERVER", "per_test_seconds", "written_both_ways"]

PYTEST_HTTPSERVER = f"pytest-httpserver=={version('pytest-httpserver')}"
"""The anchor, pinned in the dev dependencies."""
OURS = """
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import UserField

"""
OURS_TEST = """
def test_{number}(tiktok_client):
    reply = get_user_info.sync(client=tiktok_client, fields=[UserField.DISPLAY_NAME])
    assert reply.data.user.display_name == "User Name"
"""
THEIRS = """
import httpx
import pytest

BODY = {body}


@pytest.fixture(scope="session")
def client(make_httpserver):
    with httpx.Client(base_url=make_httpserver.url_for("/")) as client:
        yield client

"""
THEIRS_TEST = """
def test_{number}(httpserver, client):
    httpserver.expect_request(
        "/v2/user/info/", query_string="fields=display_name"
    ).respond_with_json(BODY)
    reply = client.get(
        "/v2/user/info/?fields=display_name", headers={{"Authorization": "Bearer t"}}
    ).json()
    assert reply["data"]["user"]["display_name"] == "User Name"
"""
LOG_ID = "20220829194722CBE87ED59D524E727021"


def written_both_ways(tests: int) -> dict[str, str]:
    """The same `tests` tests, through `tiktok_client` and through pytest-httpserver."""
    body = {
        "data": {"user": {"display_name": "User Name"}},
        "error": {"code": "ok", "message": "", "log_id": LOG_ID},
    }
    return {
        "tiktok_client": OURS + "".join(OURS_TEST.format(number=n) for n in range(tests)),
        "pytest-httpserver": THEIRS.format(body=json.dumps(body))
        + "".join(THEIRS_TEST.format(number=n) for n in range(tests)),
    }


def per_test_seconds(tests: int = 300, repeats: int = 3) -> dict[str, dict[str, float]]:
    """Best-of-`repeats` wall times of each way's pytest run, in seconds per test.

    `per_test` is what one more test costs: the run of `tests` tests less the run of one,
    over `tests - 1` (each way's one-off start-up, a server and its imports, cancels out);
    `whole_run` is the run of `tests` tests, start-up included, over `tests`.
    """
    best: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for count in (1, tests):
            for number, (name, text) in enumerate(written_both_ways(count).items()):
                paths[name, count] = Path(folder) / f"test_way_{number}_{count}.py"
                paths[name, count].write_text(text, encoding="utf-8")
        for _ in range(repeats):  # interleaved, so that both see the same machine
            for (name, count), path in paths.items():
                began = time.perf_counter()
                run = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path.name],
                    cwd=folder,
                    capture_output=True,
                    text=True,
                )
                seconds = time.perf_counter() - began
                if run.returncode != 0 or f"{count} passed" not in run.stdout:
                    raise RuntimeError(f"{name}: {run.stdout[-2000:]}{run.stderr[-2000:]}")
                best[name, count] = min(best.get((name, count), seconds), seconds)
    names = written_both_ways(0)
    return {
        "per_test": {n: (best[n, tests] - best[n, 1]) / max(tests - 1, 1) for n in names},
        "whole_run": {n: best[n, tests] / tests for n in names},
    }
