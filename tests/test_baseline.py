"""The commit the breaking-change gate compares with, in repositories made for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from compat.baseline import Baseline, choose, show

from conftest import git

SPEC = "spec.yaml"


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
    assert choose(repo) == Baseline(
        first, "HEAD's parent (no release tag, and no main branch behind HEAD)"
    )


def test_the_merge_base_with_main_on_a_branch(repo: Path) -> None:
    commit(repo, "one")
    fork = commit(repo, "two")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "three")
    git(repo, "checkout", "-q", "main")
    commit(repo, "on main since")
    git(repo, "checkout", "-q", "feature")
    assert choose(repo) == Baseline(fork, "the merge base of HEAD and main (no release tag)")


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
    assert choose(clone) == Baseline(
        fork, "the merge base of HEAD and origin/main (no release tag)"
    )


def test_the_previous_release_tag(repo: Path) -> None:
    commit(repo, "one")
    released = commit(repo, "two")
    git(repo, "tag", "v1.0.0")
    commit(repo, "three")
    git(repo, "tag", "v2.0.0")  # on HEAD: the release being made, not the previous one
    git(repo, "tag", "not-a-release")
    assert choose(repo) == Baseline(released, "the previous release tag v1.0.0")


def versioned(repo: Path, version: str) -> str:
    """Commit a spec whose info.version is `version`."""
    (repo / SPEC).write_text(f"openapi: 3.0.3\ninfo:\n  version: {version}\n", encoding="utf-8")
    git(repo, "add", SPEC)
    return commit(repo, f"spec {version}")


def test_the_last_commit_of_the_previous_version_where_no_tag_travelled(repo: Path) -> None:
    first = versioned(repo, "1.0.0")
    versioned(repo, "2.0.0")
    last_of_2 = commit(repo, "a change elsewhere, still 2.0.0")
    versioned(repo, "3.0.0")
    commit(repo, "after the bump")
    expected = Baseline(last_of_2, "the last commit of version 2.0.0 (no release tag)")
    assert choose(repo, spec=SPEC) == expected
    git(repo, "tag", "v1.0.0", first)  # a release tag comes first
    assert choose(repo, spec=SPEC) == Baseline(first, "the previous release tag v1.0.0")


def test_a_version_raised_in_the_working_tree_compares_with_head(repo: Path) -> None:
    versioned(repo, "1.0.0")
    head = commit(repo, "two")
    (repo / SPEC).write_text("openapi: 3.0.3\ninfo:\n  version: 2.0.0\n", encoding="utf-8")
    assert choose(repo, spec=SPEC) == Baseline(
        head, "the last commit of version 1.0.0 (no release tag)"
    )


def test_one_version_all_along_falls_back(repo: Path) -> None:
    first = versioned(repo, "1.0.0")
    commit(repo, "two")
    parent = Baseline(first, "HEAD's parent (no release tag, and no main branch behind HEAD)")
    assert choose(repo, spec=SPEC) == parent
    assert choose(repo, spec="missing.yaml") == parent


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
