"""`python -m compat` (`make check-breaking`): fails on a breaking change of the spec or of
the generated client's public API that the version does not announce.

The working tree is compared with a baseline commit (see `compat.baseline`). A breaking
change passes only with a major bump of the spec's `info.version`, which is the version of
both packages (hatch_build.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

from .baseline import choose, show
from .changes import CLIENT_DIR, ROOT, client_breaks, spec_breaks

SPEC = "openapi/tiktok-user-info.yaml"


def check(repo: Path, base: str | None = None) -> int:
    """Print what changed from the baseline of `repo`; 1 on an unannounced breaking change."""
    baseline = choose(repo, base, SPEC)
    if baseline is None:
        print("check-breaking: HEAD has no parent and BASE is not set: nothing to compare with")
        return 0
    print(f"check-breaking: comparing with {baseline.commit[:12]}, {baseline.reason}")
    old_text = show(repo, baseline.commit, SPEC)
    if old_text is None:
        print(f"check-breaking: {SPEC} did not exist there: nothing to compare with")
        return 0
    old = yaml.safe_load(old_text)
    new = yaml.safe_load((repo / SPEC).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        _extract(repo, baseline.commit, CLIENT_DIR, Path(folder))
        client = client_breaks(Path(folder), repo)
    breaks = [f"spec: {change}" for change in spec_breaks(old, new)]
    breaks += [f"client: {change}" for change in client]
    versions = f"{old['info']['version']} -> {new['info']['version']}"
    for change in breaks:
        print(f"  breaking: {change}")
    if not breaks:
        print(f"check-breaking: no breaking change to the spec or the client API ({versions})")
        return 0
    if _major(new["info"]["version"]) > _major(old["info"]["version"]):
        print(f"check-breaking: {len(breaks)} breaking change(s), announced by {versions}")
        return 0
    print(
        f"check-breaking: {len(breaks)} breaking change(s), but the version says none "
        f"({versions}): make the change compatible, or raise the major version of "
        f"info.version in {SPEC}"
    )
    return 1


def _major(version: str) -> int:
    return int(version.split(".")[0])


def _extract(repo: Path, commit: str, folder: str, into: Path) -> None:
    """`folder` of the tree at `commit`, written under `into`."""
    archive = into / "tree.tar"
    subprocess.run(
        ["git", "-C", str(repo), "archive", "--output", str(archive), commit, "--", folder],
        check=True,
        capture_output=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m compat", description=__doc__)
    parser.add_argument("--base", help="the commit, tag or branch to compare with")
    return check(ROOT, parser.parse_args().base)


if __name__ == "__main__":
    sys.exit(main())
