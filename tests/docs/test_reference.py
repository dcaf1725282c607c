"""The rendered reference (`make docs`): opened offline in a real headless browser, it shows
every operation and every User field with its scope."""

from __future__ import annotations

import html
import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

import mock_server
from tests.support.chromium import CHROMIUM, FLAGS
from tests.support.specs import operation

REFERENCE = Path(mock_server.__file__).parent / "reference.html"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
)


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini-full.svg"
"""Redoc's footer logo, which the page would fetch from a CDN if its policy let it."""


def rendered(page: Path, routes: list[str]) -> tuple[dict[str, str], set[str]]:
    """The visible text of `page` at each route after its scripts ran, and the URLs the
    page asked for (from Chromium's network log)."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as folder:
        runs = {
            route: subprocess.Popen(
                [
                    CHROMIUM,
                    *FLAGS,
                    f"--user-data-dir={folder}/{number}",
                    f"--log-net-log={folder}/{number}.json",
                    "--dump-dom",
                    f"{page.as_uri()}{route}",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for number, route in enumerate(routes)
        }
        doms = {route: run.communicate(timeout=120)[0] for route, run in runs.items()}
        requested = {
            event["params"]["url"]
            for number in range(len(routes))
            for event in json.loads(Path(f"{folder}/{number}.json").read_text())["events"]
            # The page's own requests; Chromium's background ones have no page origin.
            if event.get("params", {}).get("initiator") == "null"
        }
    texts = {}
    for route, dom in doms.items():
        body = dom[dom.find("<body") :]
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
        texts[route] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return texts, requested


def test_every_operation_and_user_field_with_its_scope(document: dict[str, Any]) -> None:
    operations = [
        (path, method, operation(document, path, method))
        for path, item in document["paths"].items()
        for method in item
    ]
    # Redoc's routes: a page for each operation under its tag, one for each schema.
    routes = {f"#/{op['tags'][0]}/{op['operationId'].lower()}": (path, method, op)
              for path, method, op in operations}  # fmt: skip
    texts, requested = rendered(REFERENCE, [*routes, "#/schemas/user"])
    # It renders with every host name unresolvable, and asks no network for anything.
    assert requested == set()
    for route, (path, method, op) in routes.items():
        assert f"{method.upper()} {path}" in texts[route], route
        assert op["summary"] in texts[route], route
    user_schema = document["components"]["schemas"]["User"]
    # From the User schema's own description on: the page also shows other schemas.
    description = user_schema["description"].split(".")[0]
    page = texts["#/schemas/user"]
    shown = dict(
        re.findall(
            r"\b(\w+) (?:string|boolean|integer)\b.*?tiktok-scope: ([\w.]+)",
            page[page.index(description) :],
        )
    )
    user = user_schema["properties"]
    assert shown == {name: field["x-tiktok-scope"] for name, field in user.items()}
    assert len(shown) == 14


def test_the_network_log_would_show_a_fetch(tmp_path: Path) -> None:
    """The check above is not empty by construction: a page without the reference's policy
    that shows Redoc's logo is seen asking for it."""
    control = tmp_path / "control.html"
    control.write_text(f'<html><body><img src="{REDOC_LOGO}"></body></html>', encoding="utf-8")
    assert rendered(control, [""])[1] == {REDOC_LOGO}
