"""The commit a change is compared with: the previous release, else where the branch began.

In order: the commit named by BASE (`make check-breaking BASE=...`); the newest release tag
(`v<version>`) among HEAD's ancestors, other than a tag on HEAD itself; the last commit of
the spec's previous `info.version` (for a clone without tags); the merge base of HEAD and
`origin/main`, else of HEAD and `main`, unless that is HEAD itself; HEAD's parent. A
repository with a single commit has nothing to compare with.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Baseline", "choose", "show"]


@dataclass(frozen=True)
class Baseline:
    """A commit to compare with, and why it was chosen."""

    commit: str
    reason: str


def choose(repo: Path, base: str | None = None, spec: str | None = None) -> Baseline | None:
    """The baseline of `repo`'s HEAD, or None where HEAD has no parent and no BASE is given;
    `spec` is the path of the document whose `info.version` versions the repository."""
    head = _commit(repo, "HEAD")
    if base:
        commit = _commit(repo, base)
        if commit is None:
            raise ValueError(f"BASE={base} names no commit of this repository")
        return Baseline(commit, f"BASE={base}")
    on_head = set(_git(repo, "tag", "--points-at", "HEAD", "--list", "v[0-9]*").split())
    for tag in _git(repo, "tag", "--merged", "HEAD", "--list", "v[0-9]*",
                    "--sort=-v:refname").split():  # fmt: skip
        if tag not in on_head:
            return Baseline(str(_commit(repo, tag)), f"the previous release tag {tag}")
    if spec is not None and (previous := _previous_version(repo, spec)) is not None:
        return previous
    for branch in ("origin/main", "main"):
        if _commit(repo, branch) is None:
            continue
        merge_base = _git(repo, "merge-base", "HEAD", branch).strip()
        if merge_base and merge_base != head:
            return Baseline(merge_base, f"the merge base of HEAD and {branch} (no release tag)")
    parent = _commit(repo, "HEAD~")
    if parent is None:
        return None
    return Baseline(parent, "HEAD's parent (no release tag, and no main branch behind HEAD)")


def _previous_version(repo: Path, spec: str) -> Baseline | None:
    """The last commit whose `spec` has another `info.version` than the working tree's: the
    parent of the oldest commit in the newest run of commits with the working tree's version
    (HEAD itself when the working tree changed the version), if there is one."""
    written = repo / spec
    if not written.is_file():
        return None
    current = _version(written.read_text(encoding="utf-8"))
    oldest_of_current: str | None = None
    for commit in _git(repo, "log", "--format=%H", "HEAD", "--", spec).split():
        text = show(repo, commit, spec)
        version = None if text is None else _version(text)
        if version != current:
            last = _commit(repo, f"{oldest_of_current}~" if oldest_of_current else "HEAD")
            return Baseline(str(last), f"the last commit of version {version} (no release tag)")
        oldest_of_current = commit
    return None


def _version(text: str) -> str | None:
    try:
        document = yaml.load(text, Loader=yaml.CSafeLoader)
        return str(document["info"]["version"])
    except (yaml.YAMLError, KeyError, TypeError):
        return None


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
