"""schemathesis against the admin API, every check on, positive and negative data."""

from __future__ import annotations

import os
from typing import Any

import hypothesis
import schemathesis
from schemathesis import GenerationMode

from mock_server.server import Options, create_app
from mock_server.spec import document_path
from tests.support.cases import GENERATED

SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261123"))

schema = schemathesis.openapi.from_path(document_path("tiktok-mock-admin.yaml"))
schema.app = create_app(Options(rate_limit=0))
schema.config.generation.update(modes=list(GenerationMode), max_examples=40)


@schema.parametrize()
@hypothesis.seed(SEED)
def test_admin_api(case: schemathesis.Case[Any]) -> None:
    GENERATED["admin API, in-process"] += 1
    case.call_and_validate()
