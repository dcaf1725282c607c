"""The facts of TikTok's two source documents, read from the copies in tests/seeds/."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).parents[1] / "seeds"
ENDPOINT_PAGE = (SEEDS / "endpoint.txt").read_text(encoding="utf-8")
USER_OBJECT_PAGE = (SEEDS / "user-object.md").read_text(encoding="utf-8")


@dataclass(frozen=True)
class SeedField:
    name: str
    type: str
    english: str
    thai: str
    scope: str


def _table_rows(page: str, heading: str) -> list[list[str]]:
    """The body rows of the first Markdown table under `heading`, cells stripped of backticks."""
    lines = page.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start + 2 :]:  # skip the header and the alignment row
        if not line.startswith("|"):
            break
        table.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return table


def _fields() -> list[SeedField]:
    fields = []
    for name, type_, description, scope in _table_rows(USER_OBJECT_PAGE, "## Fields"):
        english, thai = description.split("<br>")
        fields.append(SeedField(name, type_, english, thai, scope))
    return fields


def _scopes() -> dict[str, str]:
    return {
        scope: english for _thai, scope, english in _table_rows(USER_OBJECT_PAGE, "### Mapping")
    }


def _user_object_example() -> Any:
    return json.loads(re.search(r"```json\n(.*?)```", USER_OBJECT_PAGE, re.S).group(1))  # type: ignore[union-attr]


def _endpoint_example() -> Any:
    return json.loads(ENDPOINT_PAGE[ENDPOINT_PAGE.rindex("Example\n{") + len("Example\n") :])


def _curl_example() -> tuple[str, str]:
    """The URL and the Authorization header of the endpoint page's curl example."""
    match = re.search(r"curl -L -X GET '([^']+)' \\\n-H '([^']+)'", ENDPOINT_PAGE)
    assert match, "the endpoint page's curl example"
    return match.group(1), match.group(2)


FIELDS = _fields()
SCOPES = _scopes()
USER_OBJECT_EXAMPLE = _user_object_example()
ENDPOINT_EXAMPLE = _endpoint_example()
CURL_URL, CURL_AUTHORIZATION = _curl_example()
EXAMPLE_TOKEN = CURL_AUTHORIZATION.removeprefix("Authorization: Bearer ")
"""The access token of the endpoint page's example."""
