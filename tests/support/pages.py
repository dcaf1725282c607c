"""The README and the documentation site's pages (docs/), where the tests find the examples
and the statements they hold the code to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
"""The README, then each page of the site."""


def texts() -> list[str]:
    """The text of each page."""
    return [page.read_text(encoding="utf-8") for page in PAGES]


def everything() -> str:
    """Every page's text, one after the other."""
    return "\n\n".join(texts())


def after(words: str) -> str:
    """What follows `words` on the one page that has them; fails unless exactly one has."""
    having = [text for text in texts() if words in text]
    assert len(having) == 1, f"{words!r} is on {len(having)} pages, not one"
    return having[0].split(words, 1)[1]


def python_blocks(text: str) -> list[tuple[str, str]]:
    """Each ```python block of `text`, with the `##` or `###` heading it stands under."""
    blocks, heading = [], ""
    for part in re.split(r"(```python\n.*?```)", text, flags=re.S):
        if part.startswith("```python\n"):
            blocks.append((heading, part.removeprefix("```python\n").removesuffix("```")))
        else:
            heading = ([heading, *re.findall(r"^#{2,3} (.+)$", part, re.M)])[-1]
    return blocks


ALL_BLOCKS = [block for page in PAGES for block in python_blocks(page.read_text(encoding="utf-8"))]
"""Every ```python block of every page, with its heading."""
TEST_FILES = [block for _, block in ALL_BLOCKS if block.startswith("# test_")]
"""The examples that are test files for pytest: they start `# test_`."""
BLOCKS = [
    block for heading, block in ALL_BLOCKS if heading == "Calling the endpoint with the client"
]
"""The client's first examples, sync then async."""


def scheduled_job() -> dict[Any, Any]:
    """The docs' scheduled CI job that runs `tiktok-contract --live`."""
    (block,) = re.findall(r"```yaml\n(name: contract-live\n.*?)```", everything(), re.S)
    job: dict[Any, Any] = yaml.safe_load(block)
    return job
