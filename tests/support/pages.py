"""The README and the documentation site's pages (docs/), where the tests find the examples
and the statements they hold the code to."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
