"""schemathesis against the mock, every check on: in-process, and over a real socket.

The seed is fixed (SCHEMATHESIS_SEED overrides it); the number of generated cases is
reported at the end of the session. A failure prints the curl command that reproduces it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from mock_server.contract_suite.command import CONFIG, command, report_paths
from mock_server.contract_suite.coverage import reached
from mock_server.process import running_mock
from mock_server.server import Options, create_app
from mock_server.spec import SPEC_PATH, load_document
from tests.support.cases import GENERATED, TABLES
from tests.support.seeds import EXAMPLE_TOKEN as TOKEN

SCHEMATHESIS_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
"""The environment of the schemathesis runs: `make pytest` measures the Python processes
the tests start, and schemathesis runs none of the code measured, only slower."""
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261121"))
IN_PROCESS_EXAMPLES = 200
OVER_SOCKET_EXAMPLES = 20
"""The run over a socket shows the command, its reports and the links at work; the
in-process run and the outsider's are the volume."""

schema = schemathesis.openapi.from_path(SPEC_PATH, config=SchemathesisConfig.from_path(CONFIG))
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


CONFORMANCE = ",".join(
    [
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
"""The checks that judge an answer by the spec alone: the runs below that inject documented
429 and 500 errors on purpose use these."""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def full_run(reports: Path) -> subprocess.CompletedProcess[str]:
    """The contract suite (`make contract`) against the CLI on a real socket."""
    with running_mock("--rate-limit", "0") as mock:
        run = command(
            mock.url,
            TOKEN,
            reports=report_paths(reports, "full"),
            max_examples=OVER_SOCKET_EXAMPLES,
            seed=SEED,
        )
        return subprocess.run(
            run, capture_output=True, text=True, timeout=300, env=SCHEMATHESIS_ENV
        )


@pytest.fixture(scope="module")
def fault_run(reports: Path) -> subprocess.CompletedProcess[str]:
    """Every operation against a mock answering half its requests with the documented 429
    and 500 errors (`--fault-rate`), with a token that lacks the profile and stats scopes."""
    with running_mock("--rate-limit", "0", "--fault-rate", "0.5", "--seed", str(SEED)) as mock:
        run = command(
            mock.url,
            "act.mock.basic",
            reports={"ndjson": reports / "faults-events.ndjson"},
            max_examples=20,
            seed=SEED,
            checks=CONFORMANCE,
            phases="examples,coverage,fuzzing",
        )
        return subprocess.run(
            run, capture_output=True, text=True, timeout=300, env=SCHEMATHESIS_ENV
        )


def test_over_a_socket(full_run: subprocess.CompletedProcess[str], reports: Path) -> None:
    assert full_run.returncode == 0, full_run.stdout + full_run.stderr
    counts = re.search(r"Test cases:\n\s+(\d+) generated, (\d+) passed", full_run.stdout)
    assert counts and counts[1] == counts[2], full_run.stdout
    GENERATED["over a socket"] += int(counts[1])
    links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected", full_run.stdout)
    # The three links of a new token: to the user info, a refresh and a revoke.
    assert links and links[1] == links[2] == "3", full_run.stdout
    report = ElementTree.parse(report_paths(reports, "full")["junit"]).getroot()
    assert list(report.iter("testcase")) and not list(report.iter("failure"))
    # The traffic is kept, the token filtered out of it.
    traffic = report_paths(reports, "full")["har"].read_text(encoding="utf-8")
    assert json.loads(traffic)["log"]["entries"] and TOKEN not in traffic


def test_every_documented_answer_and_link_is_reached(
    full_run: subprocess.CompletedProcess[str],
    fault_run: subprocess.CompletedProcess[str],
    reports: Path,
) -> None:
    """The runs above reach every status, error code and link the spec documents; an error
    the mock gives only when asked (`Prefer: error=...`) is then asked for, and shown so."""
    assert fault_run.returncode == 0, fault_run.stdout + fault_run.stderr
    document = load_document()
    natural = [report_paths(reports, "full")["ndjson"], reports / "faults-events.ndjson"]
    before = reached(document, {"natural": natural})
    unreached = [answer for answer, runs in before.answers.items() if not runs and answer.code]
    with running_mock("--rate-limit", "0") as mock:
        runs = {
            answer: subprocess.Popen(
                command(
                    mock.url,
                    TOKEN,
                    reports={"ndjson": reports / f"forced-{answer.operation}-{answer.code}.ndjson"},
                    max_examples=1,
                    seed=SEED,
                    checks=CONFORMANCE,
                    phases="examples",
                    headers=[f"Prefer: error={answer.code}"],
                    operation_id=answer.operation,
                ),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=SCHEMATHESIS_ENV,
            )
            for answer in unreached
        }
        for process in runs.values():
            output, _ = process.communicate(timeout=300)
            assert process.returncode == 0, output
    coverage = reached(
        document,
        {
            "example token": natural[:1],
            "faults, basic token": natural[1:],
            "forced (Prefer)": sorted(reports.glob("forced-*.ndjson")),
        },
    )
    TABLES["contract coverage against the mock"] = coverage.table()
    assert coverage.unreached == []
    # Only these need asking for (the docs name them): the mock reaches every other
    # documented answer by itself, and a change that stops it doing so fails here.
    assert sorted(map(str, unreached)) == [
        "getUserInfo 400 scope_permission_missed",
        "revokeAccessToken 400 invalid_grant",
        "revokeAccessToken 400 unsupported_grant_type",
    ]


def test_an_outsiders_run_with_every_check_and_no_configuration(tmp_path: Path) -> None:
    """schemathesis as someone else would run it on both documents: its defaults, every
    check, without the contract suite's schemathesis.toml."""
    # A mock each: the admin API's run queues scenarios (faults, hangs) that would answer
    # the other run's requests. The admin document is read where a user finds it, served
    # by the mock, its references to the API's document by URL.
    with running_mock("--rate-limit", "0") as api, running_mock() as admin:
        specs = [str(SPEC_PATH), f"{admin.url}/__mock/admin.yaml"]
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "schemathesis.cli", "run", spec, "--url", mock.url,
                 "--checks", "all", "--seed", str(SEED), "--no-color",
                 "-H", f"Authorization: Bearer {TOKEN}"],
                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                env=SCHEMATHESIS_ENV,
            )
            for spec, mock in zip(specs, (api, admin), strict=True)
        ]  # fmt: skip
        outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output
        counts = re.search(r"Test cases:\n\s+(\d+) generated, (\d+) passed", output)
        assert counts and counts[1] == counts[2] and int(counts[1]) > 500, output
        GENERATED["by an outsider's run"] += int(counts[1])
