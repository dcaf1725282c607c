"""The commit a change is compared with: where the change began.

In order: the commit named by BASE (`make check-breaking BASE=...`); for a release being
made (a `v<version>` tag on HEAD), the previous release tag among HEAD's ancestors; on a
branch, the merge base of HEAD and `origin/main`, else of HEAD and `main`; on main itself
(that merge base is HEAD), HEAD's first parent. A repository with a single commit has
nothing to compare with.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Baseline", "choose", "show", "trailers"]

RELEASE_TAGS = "v[0-9]*"


@dataclass(frozen=True)
class Baseline:
    """A commit to compare with, and why it was chosen."""

    commit: str
    reason: str


def choose(repo: Path, base: str | None = None) -> Baseline | None:
    """The baseline of `repo`'s HEAD, or None where HEAD has no parent and no BASE is given."""
    head = _commit(repo, "HEAD")
    if base:
        commit = _commit(repo, base)
        if commit is None:
            raise ValueError(f"BASE={base} names no commit of this repository")
        return Baseline(commit, f"BASE={base}")
    on_head = _git(repo, "tag", "--points-at", "HEAD", "--list", RELEASE_TAGS).split()
    if on_head:
        for tag in _git(repo, "tag", "--merged", "HEAD", "--list", RELEASE_TAGS,
                        "--sort=-v:refname").split():  # fmt: skip
            if tag not in on_head:
                return Baseline(
                    str(_commit(repo, tag)),
                    f"the previous release tag {tag} (HEAD is {on_head[0]})",
                )
    for branch in ("origin/main", "main"):
        if _commit(repo, branch) is None:
            continue
        merge_base = _git(repo, "merge-base", "HEAD", branch).strip()
        if merge_base and merge_base != head:
            return Baseline(merge_base, f"the merge base of HEAD and {branch}")
    parent = _commit(repo, "HEAD^1")
    if parent is None:
        return None
    return Baseline(parent, "HEAD's parent (HEAD is on main)")


def trailers(repo: Path, baseline: Baseline, key: str) -> list[str]:
    """The values of the `key:` trailers of the commit messages from `baseline` to HEAD."""
    values = _git(repo, "log", f"--format=%(trailers:key={key},valueonly)",
                  f"{baseline.commit}..HEAD")  # fmt: skip
    return [line.strip() for line in values.splitlines() if line.strip()]


def show(repo: Path, commit: str, path: str) -> str | None:
    """The text of `path` at `commit`, or None where it did not exist."""
    result = subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True, text=True
    )
    return result.stdout if result.returncode == 0 else None


def _commit(repo: Path, ref: str) -> str | None:
    result = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout
