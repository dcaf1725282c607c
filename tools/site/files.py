"""The repository's files that the documentation site carries at the same paths, so that the
pages link to them: an MkDocs hook (mkdocs.yml's `hooks`)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent.parent
CARRIED = {
    "api-reference.html": "mock_server/reference.html",
    "mock_server/fixtures.yaml": "mock_server/fixtures.yaml",
    "openapi/tiktok-mock-admin.yaml": "openapi/tiktok-mock-admin.yaml",
    "openapi/tiktok-mock-fixtures.schema.yaml": "openapi/tiktok-mock-fixtures.schema.yaml",
    "openapi/evidence.ndjson": "openapi/evidence.ndjson",
    "bench/results.png": "bench/results.png",
}
"""Each file's path in the site, and in the repository."""


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the carried files to the site's."""
    for uri, path in CARRIED.items():
        files.append(File.generated(config, uri, abs_src_path=str(ROOT / path)))
    return files
