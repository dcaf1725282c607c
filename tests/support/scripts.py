"""The kit's scripts (files run by path, not modules of a package), loaded for a test."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def script(path: Path, name: str) -> ModuleType:
    """The Python file at `path`, a script rather than a module of a package, loaded as `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
