"""`python -m compat` (`make check-breaking`): one version names one API.

The working tree is compared with a baseline commit (see `compat.baseline`): the spec, the
generated client's public API and the mock's (`compat.changes`). Every change of them needs
a new `info.version` in the spec (the version of both packages, hatch_build.py), as large as
semantic versioning says (`compat.versions`). A change of the documents alone may keep the
version when it is declared so (`--unversioned REASON`, or an `Unversioned: REASON` trailer
in a commit message since the baseline), and only if the spec, with every `description`
and `summary` left out, is the same, and the public signatures of both packages too.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

from mock_server.spec import CHECKOUT, SPEC_NAME

from .baseline import Baseline, choose, show, trailers
from .changes import CLIENT, MOCK, ROOT, Change, api_changes, spec_changes
from .versions import Kind, Version

SPEC = (CHECKOUT / SPEC_NAME).relative_to(ROOT).as_posix()
"""The spec's path in the repository."""
TRAILER = "Unversioned"


def check(repo: Path, base: str | None = None, unversioned: str | None = None) -> int:
    """Print every change of the API since the baseline of `repo`, its kind and the version
    it needs; 1 where `info.version` does not announce them all."""
    baseline = choose(repo, base)
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
    try:
        before, after = (Version.parse(d["info"]["version"]) for d in (old, new))
    except ValueError as error:
        print(f"check-breaking: {error}")
        return 1
    changes = spec_changes(old, new)
    with tempfile.TemporaryDirectory() as folder:
        _extract(repo, baseline.commit, [CLIENT.folder, MOCK.package], Path(folder))
        for api in (CLIENT, MOCK):
            changes += api_changes(api, Path(folder), repo)
    return _verdict(changes, before, after, _unversioned(repo, baseline, unversioned))


def _verdict(changes: list[Change], before: Version, after: Version, reason: str | None) -> int:
    versions = f"{before} -> {after}"
    if after < before:
        print(f"check-breaking: info.version went down ({versions})")
        return 1
    if not changes:
        print(f"check-breaking: no change of the spec, the client API or the mock API ({versions})")
        return 0
    for change in changes:
        print(f"  {change.kind.label:<13} {change}  (needs {before.raised(change.kind)})")
    kind = max(change.kind for change in changes)
    needed = before.raised(kind)
    summary = f"{len(changes)} change(s), the largest {kind.label}"
    if before.announces(kind, after):
        print(f"check-breaking: {summary}, announced by {versions}")
        return 0
    if kind is Kind.DOCUMENTATION and after == before and reason:
        print(
            f"check-breaking: {summary}, kept at {before} as declared ({reason}): without its "
            "descriptions and summaries the spec is the same, and so are the public signatures "
            "of the client and the mock"
        )
        return 0
    print(
        f"check-breaking: {summary}, but info.version in {SPEC} says {versions}: "
        f"raise it to {needed} or more"
    )
    if kind is Kind.DOCUMENTATION:
        print(
            f"  or, to keep {before} for a change of the documents alone, declare it: "
            f"UNVERSIONED='<why>' (--unversioned), or a '{TRAILER}: <why>' commit trailer"
        )
    return 1


def _unversioned(repo: Path, baseline: Baseline, given: str | None) -> str | None:
    """The declared reason to keep the version, if any: given, or from commit trailers."""
    declared = [given] if given else trailers(repo, baseline, TRAILER)
    return "; ".join(declared) or None


def _extract(repo: Path, commit: str, folders: list[str], into: Path) -> None:
    """`folders` of the tree at `commit` (those that exist there), written under `into`."""
    archive = into / "tree.tar"
    present = [f for f in folders if show(repo, commit, f) is not None]
    subprocess.run(
        ["git", "-C", str(repo), "archive", "--output", str(archive), commit, "--", *present],
        check=True,
        capture_output=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m compat", description=__doc__)
    parser.add_argument("--base", help="the commit, tag or branch to compare with")
    parser.add_argument(
        "--unversioned", metavar="REASON", help="keep info.version for a change of the documents"
    )
    args = parser.parse_args()
    return check(ROOT, args.base, args.unversioned)


if __name__ == "__main__":
    sys.exit(main())
