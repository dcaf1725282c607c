"""The commit the breaking-change gate compares with, in repositories made for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from compat.baseline import Baseline, choose, show, trailers
from tests.support.git import git


def commit(repo: Path, text: str) -> str:
    (repo / "file.txt").write_text(text, encoding="utf-8")
    git(repo, "add", "file.txt")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", text)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


def test_a_single_commit_has_nothing_to_compare_with(repo: Path) -> None:
    commit(repo, "one")
    assert choose(repo) is None


def test_heads_parent_where_head_is_main(repo: Path) -> None:
    first = commit(repo, "one")
    commit(repo, "two")
    assert choose(repo) == Baseline(first, "HEAD's parent (HEAD is on main)")


def test_the_merge_base_with_main_on_a_branch(repo: Path) -> None:
    commit(repo, "one")
    fork = commit(repo, "two")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "three")
    commit(repo, "four")  # the branch's commits are compared as one change
    git(repo, "checkout", "-q", "main")
    commit(repo, "on main since")
    git(repo, "checkout", "-q", "feature")
    assert choose(repo) == Baseline(fork, "the merge base of HEAD and main")


def test_origin_main_comes_before_main(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    commit(repo, "one")
    fork = commit(repo, "two")
    clone = tmp_path_factory.mktemp("clone")
    git(clone, "clone", "-q", str(repo), ".")
    git(clone, "checkout", "-q", "-b", "feature")
    commit(clone, "three")
    git(clone, "branch", "-q", "-f", "main", "HEAD")  # a local main that moved on
    assert choose(clone) == Baseline(fork, "the merge base of HEAD and origin/main")


def test_a_release_is_compared_with_the_previous_release(repo: Path) -> None:
    commit(repo, "one")
    released = commit(repo, "two")
    git(repo, "tag", "v1.0.0")
    commit(repo, "three")
    git(repo, "tag", "v2.0.0")  # on HEAD: the release being made, not the previous one
    git(repo, "tag", "not-a-release")
    assert choose(repo) == Baseline(released, "the previous release tag v1.0.0 (HEAD is v2.0.0)")


def test_an_older_release_tag_does_not_hide_the_commits_since(repo: Path) -> None:
    """Every commit after a release still needs its own version: the baseline is its parent."""
    commit(repo, "one")
    git(repo, "tag", "v1.0.0")
    parent = commit(repo, "two")
    commit(repo, "three")
    assert choose(repo) == Baseline(parent, "HEAD's parent (HEAD is on main)")


def test_a_first_release_has_no_previous_one(repo: Path) -> None:
    first = commit(repo, "one")
    commit(repo, "two")
    git(repo, "tag", "v1.0.0")
    assert choose(repo) == Baseline(first, "HEAD's parent (HEAD is on main)")


def test_trailers_of_the_commits_since_the_baseline(repo: Path) -> None:
    first = commit(repo, "one")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty",
        "-m", "typo\n\nUnversioned: a typo in a description")  # fmt: skip
    commit(repo, "three")
    assert trailers(repo, Baseline(first, ""), "Unversioned") == ["a typo in a description"]
    assert trailers(repo, Baseline(git(repo, "rev-parse", "HEAD~"), ""), "Unversioned") == []


def test_base_names_the_commit(repo: Path) -> None:
    first = commit(repo, "one")
    commit(repo, "two")
    commit(repo, "three")
    assert choose(repo, "HEAD~2") == Baseline(first, "BASE=HEAD~2")
    with pytest.raises(ValueError, match="BASE=nowhere names no commit"):
        choose(repo, "nowhere")


def test_show_reads_a_file_at_a_commit(repo: Path) -> None:
    first = commit(repo, "one")
    commit(repo, "two")
    assert show(repo, first, "file.txt") == "one"
    assert show(repo, first, "missing.txt") is None
