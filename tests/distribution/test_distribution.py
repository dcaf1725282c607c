"""The kit as a user of another project gets it: the built wheels installed (not editable) into
a fresh virtual environment in a temporary folder outside the checkout, used from there."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from uv import find_uv_bin

from mock_server.process import PROCESS_TIMEOUT, free_port, wait_for_answer
from mock_server.spec import SPEC_PATH
from tests.support.pages import BLOCKS, TEST_FILES, after, scheduled_job
from tests.support.seeds import CURL_AUTHORIZATION, CURL_URL, ENDPOINT_EXAMPLE, EXAMPLE_TOKEN

ROOT = Path(__file__).resolve().parents[2]
VERSION = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["info"]["version"]
"""The spec's `info.version`: the version of both packages."""
WHEELS = {
    "client": f"tiktok_user_info_client-{VERSION}-py3-none-any.whl",
    "mock": f"tiktok_user_info_mock-{VERSION}-py3-none-any.whl",
}
SDISTS = [f"tiktok_user_info_client-{VERSION}.tar.gz", f"tiktok_user_info_mock-{VERSION}.tar.gz"]
PYTEST = next(line for line in (ROOT / "constraints.txt").read_text().splitlines()
              if line.startswith("pytest=="))  # fmt: skip


@dataclass(frozen=True)
class Installed:
    dist: Path
    venv: Path
    project: Path
    """A folder of a user's project, outside the checkout."""

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(
        self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """A command run from the user's project (or `cwd`), with nothing of the checkout on
        its path, and `env` added to its environment. Its Python writes the bytecode of what
        it imports, as a user's does, so the next command reuses it."""
        unset = ("PYTHONPATH", "VIRTUAL_ENV", "TIKTOK_ACCESS_TOKEN", "PYTHONDONTWRITEBYTECODE")
        environment = {k: v for k, v in os.environ.items() if k not in unset}
        environment["PATH"] = f"{self.venv / 'bin'}:{environment['PATH']}"
        environment.update(env or {})
        return subprocess.run(
            args, cwd=cwd or self.project, env=environment, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip


def stranger_wheel(folder: Path) -> Path:
    """A package of the client's name and version that is not ours, as a public index could
    hold one: a dependency confusion attack."""
    folder.mkdir()
    path = folder / WHEELS["client"]
    dist_info = f"tiktok_user_info_client-{VERSION}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("tiktok_user_info_client/__init__.py", "STRANGER = True\n")
        wheel.writestr(
            f"{dist_info}/METADATA",
            f"Metadata-Version: 2.1\nName: tiktok-user-info-client\nVersion: {VERSION}\n",
        )
        wheel.writestr(
            f"{dist_info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        wheel.writestr(f"{dist_info}/RECORD", "")
    return path


def job_lines(word: str) -> str:
    """The line of the docs' scheduled job that runs `word`."""
    steps = scheduled_job()["jobs"]["contract-live"]["steps"]
    (line,) = [step["run"] for step in steps if step.get("run", "").startswith(word)]
    return str(line)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """`make dist`, then the docs' scheduled job's install from wheels (the mock with its
    contract extra) into a fresh venv, with a stranger's client of the same name and version
    on offer: the job's `pip install` line, run by uv's pip (`uv pip install`), which installs
    the same and reuses what it downloaded before."""
    base = tmp_path_factory.mktemp("user")
    assert not base.resolve().is_relative_to(ROOT)
    dist = base / "dist"
    building = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    make = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "dist", f"DIST={dist}"],
        capture_output=True, text=True, timeout=300, env=building,  # the build is not measured
    )  # fmt: skip
    assert make.returncode == 0, make.stdout + make.stderr
    venv = base / "venv"
    uv = find_uv_bin()
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True,
                   timeout=120)  # fmt: skip
    project = base / "project"
    project.mkdir()
    user = Installed(dist, venv, project)
    strangers = stranger_wheel(base / "strangers")
    install = job_lines("pip install ")
    assert install.startswith("pip install dist/tiktok_user_info_client-*.whl ")
    pip = user.run(
        "bash", "-c", f"{uv} {install} --python {user.bin('python')} --quiet "
        f"--find-links {strangers.parent} -c {ROOT / 'constraints.txt'} {PYTEST}",
        cwd=base,  # where dist/ is
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    yield user


def test_both_distributions_are_built_and_the_sdist_makes_a_whole_wheel(
    installed: Installed,
) -> None:
    assert sorted(p.name for p in installed.dist.iterdir()) == sorted([*WHEELS.values(), *SDISTS])
    with zipfile.ZipFile(installed.dist / WHEELS["mock"]) as wheel:  # built from the sdist
        names = wheel.namelist()
        assert wheel.read("mock_server/openapi/tiktok-user-info.yaml") == SPEC_PATH.read_bytes()
        metadata = wheel.read(f"tiktok_user_info_mock-{VERSION}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"tiktok_user_info_mock-{VERSION}.dist-info/entry_points.txt")
    assert "mock_server/fixtures.yaml" in names
    assert "mock_server/openapi/tiktok-mock-fixtures.schema.yaml" in names  # what checks them
    assert "mock_server/contract_suite/schemathesis.toml" in names  # the suite's settings
    assert "mock_server/py.typed" in names  # users type-check their tests against TikTokMock
    assert f"Requires-Dist: tiktok-user-info-client=={VERSION}\n" in metadata
    assert b"tiktok-mock = mock_server.cli:run" in entry_points
    assert b"tiktok-contract = mock_server.contract_suite.cli:run" in entry_points
    assert "Provides-Extra: contract\n" in metadata
    assert b"tiktok_mock = mock_server.pytest_plugin" in entry_points


def test_our_client_is_installed_not_the_strangers(installed: Installed) -> None:
    run = installed.run(
        installed.bin("python"), "-c",
        "import tiktok_user_info_client as c, mock_server.spec as s; "
        "print(hasattr(c, 'STRANGER'), hasattr(c, 'AuthenticatedClient'), s.SPEC_PATH)",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    stranger, ours, spec = run.stdout.split()
    assert (stranger, ours) == ("False", "True")
    assert Path(spec).is_relative_to(installed.venv)  # the package's own copy of the spec


def test_a_users_test_file_runs_with_the_plugin(installed: Installed) -> None:
    (docs_example,) = TEST_FILES
    (installed.project / "test_profile.py").write_text(docs_example, encoding="utf-8")
    run = installed.run(installed.bin("python"), "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\b3 passed\b", run.stdout), run.stdout


@pytest.fixture(scope="module")
def tiktok_mock_command(installed: Installed) -> Iterator[str]:
    """`tiktok-mock --port <free>`, started as another project's CI starts it."""
    port = free_port()
    process = subprocess.Popen(
        [installed.bin("tiktok-mock"), "--port", str(port)],
        cwd=installed.project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for_answer("127.0.0.1", port, lambda: process.poll() is None)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=PROCESS_TIMEOUT)


def test_the_seeds_curl_example_is_answered_with_the_seeds_body(
    installed: Installed, tiktok_mock_command: str
) -> None:
    url = CURL_URL.replace("https://open.tiktokapis.com", tiktok_mock_command)
    run = installed.run("curl", "-sS", "-L", "-X", "GET", url, "-H", CURL_AUTHORIZATION)
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert re.fullmatch(r"\d{14}[0-9A-F]{20}", body["error"].pop("log_id"))
    expected = json.loads(json.dumps(ENDPOINT_EXAMPLE))
    del expected["error"]["log_id"]
    assert body == expected


def test_the_installed_mock_serves_its_documents(
    installed: Installed, tiktok_mock_command: str
) -> None:
    for route, expected in (
        ("openapi.yaml", SPEC_PATH.read_bytes()[:200]),
        ("reference", b"<!DOCTYPE html>"),
    ):
        run = installed.run("curl", "-sS", "-f", f"{tiktok_mock_command}/__mock/{route}")
        assert run.returncode == 0, run.stderr
        assert run.stdout.encode().startswith(expected)


def test_the_installed_mock_checks_a_fixtures_file_with_its_schema(installed: Installed) -> None:
    """The schema, the admin spec and the API spec it refers to are the package's copies."""
    path = installed.project / "fixtures.yaml"
    path.write_text(
        "users:\n  u: {nickname: n}\ntokens:\n  act.t: {user: u, scopes: [nope]}\n",
        encoding="utf-8",
    )
    run = installed.run(installed.bin("tiktok-mock"), "--fixtures", str(path))
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"error: {path}: users.u: unknown field 'nickname'" in run.stderr
    assert f"error: {path}: tokens.act.t.scopes: unknown scope 'nope'" in run.stderr


def test_the_docs_sync_example_runs_against_it(
    installed: Installed, tiktok_mock_command: str
) -> None:
    sync_example = BLOCKS[0]
    assert '"https://open.tiktokapis.com"' in sync_example
    script = installed.project / "example.py"
    script.write_text(
        sync_example.replace('"https://open.tiktokapis.com"', repr(tiktok_mock_command)),
        encoding="utf-8",
    )
    run = installed.run(
        "env", f"TIKTOK_ACCESS_TOKEN={EXAMPLE_TOKEN}", installed.bin("python"), script.name
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "['user.info.basic', 'user.info.stats']\nUser Name 100\n"


def test_the_command_and_the_module_take_the_same_options(installed: Installed) -> None:
    script = installed.run(installed.bin("tiktok-mock"), "--help")
    module = installed.run(installed.bin("python"), "-m", "mock_server", "--help")
    assert script.returncode == module.returncode == 0
    assert script.stdout.startswith("usage: tiktok-mock ")
    options = re.compile(r"--[a-z-]+")
    assert options.findall(script.stdout) == options.findall(module.stdout)
    assert "--port" in script.stdout


def docs_block_after(words: str) -> str:
    """The first ```sh block of the docs after `words`."""
    block = re.search(r"```sh\n(.*?)```", after(words), re.S)
    assert block is not None
    return block.group(1)


def test_the_docs_name_the_wheels_built() -> None:
    block = docs_block_after("Or from wheels built here")
    assert re.findall(r"dist/(\S+\.whl)", block) == list(WHEELS.values())


def test_the_docs_ci_lines_start_the_mock_and_wait_for_it(installed: Installed) -> None:
    port = str(free_port())
    lines = docs_block_after("In another project's CI").replace("8080", port)
    probe = f"curl -s -o /dev/null -w 'status=%{{http_code}}' http://127.0.0.1:{port}/v2/user/info/"
    run = installed.run("bash", "-c", f"set -e\n{lines}\n{probe}\nkill %1\nwait || true")
    assert run.returncode == 0, run.stderr
    assert "status=401" in run.stdout  # answered at once: no token


def test_the_installed_contract_suite_runs_against_the_installed_mock(
    installed: Installed, tiktok_mock_command: str
) -> None:
    """The docs' scheduled job's line (`--live`, the mock's URL added), then a full run:
    reports written without the token, the coverage table, exit codes for CI."""
    live = installed.run(
        "bash", "-c", f"{job_lines('tiktok-contract ')} {tiktok_mock_command} --max-examples 2",
        env={"TIKTOK_ACCESS_TOKEN": EXAMPLE_TOKEN},
    )  # fmt: skip
    assert live.returncode == 0, live.stdout + live.stderr
    assert re.search(r"Operations: +1 selected / 3 total", live.stdout), live.stdout
    reports = installed.project / "reports"
    full = installed.run(
        installed.bin("tiktok-contract"), tiktok_mock_command, "--token", EXAMPLE_TOKEN,
        "--max-examples", "3", "--reports", str(reports),
    )  # fmt: skip
    assert full.returncode == 0, full.stdout + full.stderr
    assert re.search(r"^3/3 operations, \d+/24 documented answers and links reached$",
                     full.stdout, re.M), full.stdout  # fmt: skip
    names = sorted(path.name for path in reports.iterdir())
    assert names == sorted(f"{run}-{suffix}" for run in ("contract", "contract-live")
                           for suffix in ("junit.xml", "har.json", "events.ndjson"))  # fmt: skip
    for path in reports.iterdir():
        assert path.stat().st_size > 0 and EXAMPLE_TOKEN not in path.read_text(encoding="utf-8")
    assert EXAMPLE_TOKEN not in live.stdout + full.stdout
    unusable = installed.run(installed.bin("tiktok-contract"), tiktok_mock_command)
    assert unusable.returncode == 2 and "no access token" in unusable.stderr
