"""The mock's version and its client pin, both read from the spec's `info.version`.

The spec, the generated client (openapi-python-client takes its version from
`info.version`) and the mock share one version, so the mock always installs the client
generated from the same document.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

NAMES = Path("mock_server") / "spec.py"
SPEC_NAME = re.compile(r'^SPEC_NAME = "([^"]+)"$', re.MULTILINE)
"""The spec's name in openapi/, as mock_server/spec.py gives it: read, not imported, as the
package need not be importable where it is built (the Makefile reads it so too)."""
VERSION = re.compile(r"^info:\n(?:(?:  .*)?\n)*?  version: *['\"]?([^'\"\s]+)", re.MULTILINE)
"""`info.version`: the first `version` key indented once below the top-level `info`."""


def spec_path(root: str) -> Path:
    """The spec under `root`."""
    match = SPEC_NAME.search((Path(root) / NAMES).read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{NAMES} has no SPEC_NAME")
    return Path(root) / "openapi" / match.group(1)


def spec_version(root: str) -> str:
    """The `info.version` of the spec under `root`."""
    spec = spec_path(root)
    match = VERSION.search(spec.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{spec} has no info.version")
    return match.group(1)


class SpecVersionHook(MetadataHookInterface):
    """Sets `version`, and adds the client pinned to it to the `dependencies` of the config."""

    PLUGIN_NAME = "custom"

    def update(self, metadata: dict[str, Any]) -> None:
        version = spec_version(self.root)
        metadata["version"] = version
        metadata["dependencies"] = [
            *self.config["dependencies"],
            f"{self.config['client']}=={version}",
        ]
