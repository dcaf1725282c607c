"""schemathesis against the mock, every check on: in-process, and over a real socket.

The seed is fixed (SCHEMATHESIS_SEED overrides it); the number of generated cases is
reported at the end of the session. A failure prints the curl command that reproduces it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import hypothesis
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from contract.__main__ import command
from mock_server.process import running_mock
from mock_server.server import Options, create_app
from mock_server.spec import SPEC_PATH

from cases import GENERATED
from seeds import EXAMPLE_TOKEN as TOKEN

SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261121"))
IN_PROCESS_EXAMPLES = 200
OVER_SOCKET_EXAMPLES = 60

schema = schemathesis.openapi.from_path(SPEC_PATH)
# The rate limit is off: the run sends more than 600 requests a minute with one token.
schema.app = create_app(Options(rate_limit=0))
schema.config.generation.update(modes=list(GenerationMode), max_examples=IN_PROCESS_EXAMPLES)


@schema.auth()
class BearerToken:
    """The fixture token, applied where schemathesis wants valid credentials."""

    def get(self, case: schemathesis.Case[Any], context: schemathesis.AuthContext) -> str:
        return TOKEN

    def set(
        self, case: schemathesis.Case[Any], data: str, context: schemathesis.AuthContext
    ) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@schema.parametrize()
@hypothesis.seed(SEED)
def test_in_process(case: schemathesis.Case[Any]) -> None:
    GENERATED["in-process"] += 1
    case.call_and_validate()


def test_every_check_is_on() -> None:
    load_all_checks()
    config = schema.config.checks_config_for(operation=schema["/v2/user/info/"]["GET"], phase=None)
    names = CHECKS.get_all_names()
    assert {"ignored_auth", "negative_data_rejection", "unsupported_method"} < set(names)
    assert [name for name in names if not config.get_by_name(name=name).enabled] == []


def test_over_a_socket(tmp_path: Path) -> None:
    """The contract suite (`make contract`) against the CLI on a real socket."""
    junit = tmp_path / "junit.xml"
    with running_mock("--rate-limit", "0") as mock:
        run = command(mock.url, TOKEN, junit=junit, max_examples=OVER_SOCKET_EXAMPLES, seed=SEED)
        result = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = re.search(r"Test cases:\n\s+(\d+) generated, (\d+) passed", result.stdout)
    assert counts and counts[1] == counts[2], result.stdout
    GENERATED["over a socket"] += int(counts[1])
    links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected", result.stdout)
    # The three links of a new token: to the user info, a refresh and a revoke.
    assert links and links[1] == links[2] == "3", result.stdout
    report = ElementTree.parse(junit).getroot()
    assert list(report.iter("testcase")) and not list(report.iter("failure"))


def test_contract_live_skips_without_a_token() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "TIKTOK_ACCESS_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "contract", "--live"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout == (
        "contract-live skipped: set TIKTOK_ACCESS_TOKEN to an access token of yours\n"
    )


def test_contract_live_stays_within_tikToks_rules() -> None:
    run = command("https://open.tiktokapis.com", "act.x", live=True)
    assert run[run.index("--mode") + 1] == "positive"
    assert run[run.index("--include-operation-id") + 1] == "getUserInfo"
    assert run[run.index("--rate-limit") + 1] == "300/m"


def test_an_outsiders_run_with_every_check_and_no_configuration(tmp_path: Path) -> None:
    """schemathesis as someone else would run it on both documents: its defaults, every
    check, from a folder without this repository's schemathesis.toml."""
    from mock_server.spec import document_path

    specs = [SPEC_PATH, document_path("tiktok-mock-admin.yaml")]
    # A mock each: the admin API's run queues scenarios (faults, hangs) that would answer
    # the other run's requests.
    with running_mock("--rate-limit", "0") as api, running_mock() as admin:
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "schemathesis.cli", "run", str(spec), "--url", mock.url,
                 "--checks", "all", "--seed", str(SEED), "--no-color",
                 "-H", f"Authorization: Bearer {TOKEN}"],
                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            for spec, mock in zip(specs, (api, admin), strict=True)
        ]  # fmt: skip
        outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output
        counts = re.search(r"Test cases:\n\s+(\d+) generated, (\d+) passed", output)
        assert counts and counts[1] == counts[2] and int(counts[1]) > 500, output
        GENERATED["by an outsider's run"] += int(counts[1])
