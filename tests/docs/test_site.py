"""The documentation site (`make docs`): it builds with `mkdocs build --strict`, carries the
rendered reference, and, served on loopback to headless Chromium with every other host
unresolvable, renders each page and finds through its search what a user looks for, without
a request leaving loopback."""

from __future__ import annotations

import functools
import html
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import yaml

import mock_server
from tests.support.chromium import CHROMIUM, FLAGS
from tests.support.pages import DOCS, README, ROOT

REFERENCE = Path(mock_server.__file__).parent / "reference.html"
CONFIG = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
NAV = {source: title for entry in CONFIG["nav"] for title, source in entry.items()}
"""Each page's source in docs/, with its title in the navigation."""
SEARCHED = ["scope_not_authorized", "fault-rate"]
"""What the search must find. `--fault-rate` is searched as `fault-rate`: the search's query
syntax (lunr's) reads a leading `-` as "without", so the dashes typed find nothing."""
FONT = "https://fonts.googleapis.com/css?family=Roboto"
"""What a page would fetch with Material's default `theme.font`."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for the module as `make docs` builds it."""
    folder = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [ROOT / ".venv/bin/mkdocs", "build", "--strict", "--site-dir", folder],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    return folder


def test_every_page_is_in_the_navigation() -> None:
    assert set(NAV) == {page.name for page in DOCS.glob("*.md")}


def test_the_readme_sends_each_audience_to_its_page() -> None:
    linked = re.findall(r"\]\(docs/([\w-]+\.md)\)", README.read_text(encoding="utf-8"))
    assert sorted(linked) == sorted(NAV)


def test_it_builds_every_page_with_the_reference_inside(site: Path) -> None:
    for source in NAV:
        assert (site / source.replace(".md", ".html")).is_file(), source
    assert (site / "api-reference.html").read_bytes() == REFERENCE.read_bytes()
    reference = (site / "reference.html").read_text(encoding="utf-8")
    assert 'href="api-reference.html"' in reference


def test_no_stylesheet_script_or_font_comes_from_elsewhere(site: Path) -> None:
    fetched = re.compile(
        r"<(?:link|script|img)\b[^>]*\b(?:href|src)=[\"']?(?:https?:)?//"
        r"|@import\s+(?:url\()?[\"']?(?:https?:)?//|url\([\"']?(?:https?:)?//"
    )
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css", ".js") and path.name != "api-reference.html":
            assert not fetched.search(path.read_text(encoding="utf-8")), path


HARNESS = """<!doctype html><html><body>
<iframe id="page" src="index.html?q=%s"></iframe>
<script>
(async () => {
  for (let wait = 0; wait < 120; wait++) {
    const page = document.getElementById("page").contentDocument;
    const list = page && page.querySelector(".md-search-result__list");
    if (list && list.children.length) {
      const found = document.createElement("section");
      found.innerHTML = page.querySelector(".md-search-result").innerHTML;
      document.body.append(found);
      return;
    }
    await fetch("/slow");
  }
})();
</script>
</body></html>"""
"""A page that types the words into the site's search (Material reads `?q=`) in a frame and
copies the results into itself. Until they come, it asks for `/slow`, which the server answers
a quarter of a second late: Chromium's virtual time stands still while a request is pending, so
the search worker has real time to answer before Chromium dumps the DOM (at most 30 s)."""


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[tuple[str, list[str]]]:
    """The site on a loopback port, and the paths asked of it."""
    asked: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/slow":
                return super().do_GET()
            time.sleep(0.25)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            asked.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


LOOPBACK_ONLY = [flag.replace("~NOTFOUND", "~NOTFOUND, EXCLUDE 127.0.0.1") for flag in FLAGS] + [
    "--no-proxy-server"
]
"""test_reference.py's flags, with loopback left resolvable: every other host name fails."""


def browse(urls: list[str]) -> tuple[list[str], list[set[str]]]:
    """The DOM of each URL after its scripts ran, and every URL its page asked for (from
    Chromium's network log; Chromium's own background requests name no page origin), in one
    headless Chromium each, side by side."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as folder:
        runs = [
            subprocess.Popen(
                [
                    CHROMIUM,
                    *LOOPBACK_ONLY,
                    f"--user-data-dir={folder}/{number}",
                    f"--log-net-log={folder}/{number}.json",
                    "--dump-dom",
                    url,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for number, url in enumerate(urls)
        ]
        doms = [run.communicate(timeout=120)[0] for run in runs]
        requested = [
            {
                event["params"]["url"]
                for event in json.loads(Path(f"{folder}/{number}.json").read_text())["events"]
                if event.get("params", {}).get("initiator") == origin(url)
            }
            for number, url in enumerate(urls)
        ]
    return doms, requested


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def text(dom: str) -> str:
    """The visible text of a DOM."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", dom[dom.find("<body") :], flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def elsewhere(urls: set[str]) -> set[str]:
    """The URLs that leave loopback."""
    return {url for url in urls if urlsplit(url).hostname != "127.0.0.1"}


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_served_offline_each_page_renders_and_search_finds(
    site: Path, served: tuple[str, list[str]]
) -> None:
    base, asked = served
    # The check of requests is not empty by construction: a page asking for a font is seen.
    (site / "control.html").write_text(f'<link rel="stylesheet" href="{FONT}">', "utf-8")
    for number, words in enumerate(SEARCHED):
        (site / f"search{number}.html").write_text(HARNESS % quote(words), "utf-8")
    pages = [source.replace(".md", ".html") for source in NAV]
    searches = [f"search{number}.html" for number in range(len(SEARCHED))]
    doms, requested = browse([f"{base}/{page}" for page in [*pages, *searches, "control.html"]])
    assert elsewhere(requested.pop()) == {FONT}
    for page, urls in zip([*pages, *searches], requested, strict=True):
        assert elsewhere(urls) == set(), page
        assert f"{base}/assets/stylesheets/" in " ".join(urls), page  # Material's, from the site
    for source, page, dom in zip(NAV, pages, doms[: len(pages)], strict=True):
        title = re.search(r"<title>(.*?)</title>", dom)
        assert title is not None and CONFIG["site_name"] in title[1], page
        heading = re.search(r"<h1 id=[^>]*>(.*?)<", dom)
        assert heading is not None and heading[1] == NAV[source], page  # the page's own
        assert len(text(dom)) > 1000, page
    sources = {
        page: (DOCS / source).read_text("utf-8") for source, page in zip(NAV, pages, strict=True)
    }
    for words, dom in zip(SEARCHED, doms[len(pages) : -1], strict=True):
        found = re.findall(r'class="md-search-result__link"[^>]*href="[^"]*?/([\w-]+\.html)', dom)
        found += re.findall(
            r'href="[^"]*?/([\w-]+\.html)[^"]*" class="md-search-result__link"', dom
        )
        assert found, f"the search finds nothing for {words}"
        assert set(found) <= set(pages), words
        assert any(words in sources[page] for page in found), words
    assert "/search/search_index.json" in asked
