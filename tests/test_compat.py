"""`make check-breaking`: a breaking change passes only with a major version bump."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from compat.__main__ import SPEC, check
from compat.changes import CLIENT_DIR, CLIENT_PACKAGE, ROOT

from conftest import git


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)


def edit_spec(repo: Path, version: str | None = None, drop_field: str | None = None) -> None:
    path = repo / SPEC
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if version is not None:
        text = text.replace(f"version: {document['info']['version']}", f"version: {version}", 1)
    if drop_field is not None:
        text = text.replace(f"        - {drop_field}\n", "", 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the kit's spec and client, in two commits."""
    (tmp_path / "openapi").mkdir()
    shutil.copy(ROOT / SPEC, tmp_path / SPEC)
    shutil.copytree(ROOT / CLIENT_DIR / CLIENT_PACKAGE, tmp_path / CLIENT_DIR / CLIENT_PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "released")
    (tmp_path / "notes.txt").write_text("a change elsewhere", encoding="utf-8")
    commit_all(tmp_path, "notes")
    return tmp_path


def test_no_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(repo) == 0
    out = capsys.readouterr().out
    assert "comparing with" in out and "HEAD's parent" in out
    assert "no breaking change to the spec or the client API" in out


def test_a_breaking_change_fails_until_the_major_version_says_so(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = yaml.safe_load((repo / SPEC).read_text(encoding="utf-8"))["info"]["version"]
    major = int(version.split(".")[0])
    edit_spec(repo, drop_field="video_count", version=f"{major}.1.0")
    assert check(repo) == 1
    out = capsys.readouterr().out
    assert "breaking: spec: /paths/~1v2~1user~1info~1/get/parameters/0/schema/items/enum/" in out
    assert f"the version says none ({version} -> {major}.1.0)" in out
    edit_spec(repo, version=f"{major + 1}.0.0")
    assert check(repo) == 0
    assert f"announced by {version} -> {major + 1}.0.0" in capsys.readouterr().out


def test_a_breaking_change_of_the_client_api(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / CLIENT_DIR / CLIENT_PACKAGE / "client.py").unlink()
    assert check(repo) == 1
    assert f"breaking: client: {CLIENT_PACKAGE}.client: Public object was removed" in (
        capsys.readouterr().out
    )


def test_against_a_named_base_and_without_history(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert check(repo, "HEAD~1") == 0
    assert "BASE=HEAD~1" in capsys.readouterr().out
    single = tmp_path_factory.mktemp("single")
    git(single, "init", "-q")
    (single / "file.txt").write_text("x", encoding="utf-8")
    commit_all(single, "only")
    assert check(single) == 0
    assert "nothing to compare with" in capsys.readouterr().out
