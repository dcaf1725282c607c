"""`make check-breaking`: every change of the API since the baseline needs a version as large
as semantic versioning says; the output names each change, its kind and the version it needs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from compat.__main__ import SPEC, check
from compat.changes import CLIENT, MOCK, ROOT
from tests.support.git import git

PLUGIN = Path(MOCK.package) / "pytest_plugin.py"


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)


def edit_spec(repo: Path, version: str | None = None, old: str = "", new: str = "") -> None:
    """Set `info.version` to `version`, and replace the first `old` of the spec with `new`."""
    path = repo / SPEC
    text = path.read_text(encoding="utf-8")
    current = yaml.safe_load(text)["info"]["version"]
    if version is not None:
        text = text.replace(f"version: {current}", f"version: {version}", 1)
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


FOLLOWER_COUNT = "        follower_count:\n"
"""The start of the `User` property the reviewer's edit removes (its lines up to the next)."""


def remove_follower_count(repo: Path, version: str | None = None) -> None:
    text = (repo / SPEC).read_text(encoding="utf-8")
    start = text.index(FOLLOWER_COUNT)
    end = text.index("        following_count:\n", start)
    edit_spec(repo, version, text[start:end], "")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the kit's spec, client and the mock's plugin, in two commits on main."""
    (tmp_path / "openapi").mkdir()
    shutil.copy(ROOT / SPEC, tmp_path / SPEC)
    package = Path(CLIENT.folder) / CLIENT.package
    shutil.copytree(ROOT / package, tmp_path / package,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (tmp_path / PLUGIN).parent.mkdir()
    for module in ("__init__.py", PLUGIN.name):
        shutil.copy(ROOT / MOCK.package / module, tmp_path / MOCK.package / module)
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "released")
    (tmp_path / "notes.txt").write_text("a change elsewhere", encoding="utf-8")
    commit_all(tmp_path, "notes")
    return tmp_path


def version(repo: Path) -> str:
    found: str = yaml.safe_load((repo / SPEC).read_text(encoding="utf-8"))["info"]["version"]
    return found


def test_no_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(repo) == 0
    out = capsys.readouterr().out
    assert "comparing with" in out and "HEAD's parent" in out
    assert "no change of the spec, the client API or the mock API" in out


def test_one_version_names_one_api(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The reviewer's edit: a response property removed, the version kept, committed on main.
    Once the major number is raised, the next break under that version fails again."""
    before = version(repo)
    major = int(before.split(".")[0])
    remove_follower_count(repo)
    commit_all(repo, "no follower_count")
    assert check(repo) == 1
    out = capsys.readouterr().out
    needs = rf"\(openapi-diff\)  \(needs {major + 1}\.0\.0\)$"
    assert re.search(rf"^  breaking +spec: .*responses.200.*scope\.add {needs}", out, re.M), out
    assert f"info.version in {SPEC} says {before} -> {before}: raise it to {major + 1}.0.0" in out
    edit_spec(repo, f"{major + 1}.0.0")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-a", "--amend",
        "-m", "no follower_count, a major version")  # fmt: skip
    assert check(repo) == 0
    assert f"announced by {before} -> {major + 1}.0.0" in capsys.readouterr().out
    edit_spec(repo, old="        - video_count\n")
    commit_all(repo, "another break under the same version")
    assert check(repo) == 1
    assert f"raise it to {major + 2}.0.0" in capsys.readouterr().out


def test_an_addition_needs_a_minor_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    major, minor, patch = map(int, version(repo).split("."))
    region = "        region:\n          type: string\n          x-tiktok-scope: user.info.basic\n"
    edit_spec(repo, f"{major}.{minor}.{patch + 1}", FOLLOWER_COUNT, region + FOLLOWER_COUNT)
    assert check(repo) == 1
    out = capsys.readouterr().out
    assert re.search(rf"^  addition +spec: .*region.*\(needs {major}\.{minor + 1}\.0\)$", out, re.M)
    assert f"raise it to {major}.{minor + 1}.0" in out
    edit_spec(repo, f"{major}.{minor + 1}.0")
    assert check(repo) == 0


def test_a_fix_of_the_documents_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A patch number, or a declaration that keeps the version: only while nothing but the
    descriptions and summaries changed."""
    current = version(repo)
    edit_spec(repo, old="Get user info", new="Get the user's info")
    assert check(repo) == 1
    out = capsys.readouterr().out
    assert re.search(
        r"^  documentation +spec: /paths/.*summary.*\(needs \d+\.\d+\.\d+\)$", out, re.M
    )
    assert "declare it: UNVERSIONED='<why>'" in out
    assert check(repo, unversioned="a typo") == 0
    out = capsys.readouterr().out
    assert f"kept at {current} as declared (a typo): without its descriptions" in out
    commit_all(repo, "Typo\n\nUnversioned: a typo in a summary")
    git(repo, "checkout", "-q", "-b", "typo")
    git(repo, "branch", "-q", "-f", "main", "HEAD~")
    assert check(repo) == 0  # the branch's commit declares it
    assert "as declared (a typo in a summary)" in capsys.readouterr().out
    edit_spec(repo, old="maxItems: 14", new="maxItems: 13")  # a parameter touched too
    assert check(repo, unversioned="a typo") == 1
    assert "the largest breaking" in capsys.readouterr().out


def test_the_client_api(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / CLIENT.folder / CLIENT.package / "client.py").unlink()
    assert check(repo) == 1
    assert f"breaking      client: {CLIENT.package}.client: Public object was removed" in (
        capsys.readouterr().out
    )


def test_the_mocks_api(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plugin = repo / PLUGIN
    source = plugin.read_text(encoding="utf-8")
    plugin.write_text(source.replace("    def reset(", "    def restart(", 1), encoding="utf-8")
    assert check(repo) == 1
    out = capsys.readouterr().out
    assert "breaking      mock: mock_server.pytest_plugin.TikTokMock.reset: Public object was " \
        "removed" in out  # fmt: skip
    assert "addition      mock: mock_server.pytest_plugin.TikTokMock.restart: Public object was " \
        "added" in out  # fmt: skip
    plugin.write_text(source, encoding="utf-8")
    (repo / MOCK.package / "__init__.py").write_text("VERSION = '1'\n", encoding="utf-8")
    assert check(repo) == 1
    assert "addition      mock: mock_server.VERSION: Public object was added" in (
        capsys.readouterr().out
    )


def test_a_version_that_is_not_semantic_or_goes_down(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_spec(repo, "3.0")
    assert check(repo) == 1
    assert "info.version '3.0' is not a version major.minor.patch" in capsys.readouterr().out
    edit_spec(repo, "0.0.1")
    assert check(repo) == 1
    assert "info.version went down" in capsys.readouterr().out


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


def test_make_passes_base_and_unversioned_on() -> None:
    make = subprocess.run(
        ["make", "--dry-run", "--always-make", "check-breaking", "BASE=v3.0.0",
         "UNVERSIONED=a typo"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert '-m compat --base "v3.0.0" --unversioned "a typo"' in make.stdout
