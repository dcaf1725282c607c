"""Findings: kept to a bound, counted by kind, logged one line each."""

from __future__ import annotations

import logging

import pytest

from mock_server.findings import Finding, Findings

DRIFT = Finding("drift", "getUserInfo", "User field", "a field of User", "nickname", "L1")


def test_kept_to_a_bound_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    findings = Findings(size=2)
    with caplog.at_level(logging.WARNING, "mock_server"):
        findings.add([DRIFT, DRIFT, Finding("upstream", None, "connect", "an answer", "refused")])
    assert len(findings.to_json()["findings"]) == 2
    assert findings.counts() == {"violation": 0, "drift": 2, "disagreement": 0, "upstream": 1}
    assert caplog.messages[0] == (
        "drift in getUserInfo, User field: expected a field of User, got nickname (log_id L1)"
    )
    assert caplog.messages[2].startswith("upstream in no operation, connect:")
    assert (
        findings.summary() == "proxy findings: 3 (0 violation, 2 drift, 0 disagreement, 1 upstream)"
    )
    findings.clear()
    assert findings.to_json() == {"findings": [], "counts": dict.fromkeys(findings.counts(), 0)}


def test_the_admin_spec_lists_the_kinds_and_the_bound() -> None:
    from mock_server.findings import KINDS, MAX_FINDINGS
    from mock_server.spec import document_path, load_document

    schemas = load_document(document_path("tiktok-mock-admin.yaml"))["components"]["schemas"]
    assert tuple(schemas["Finding"]["properties"]["kind"]["enum"]) == KINDS
    counts = schemas["FindingList"]["properties"]["counts"]
    assert tuple(counts["required"]) == tuple(counts["properties"]) == KINDS
    assert (
        f"{MAX_FINDINGS:,} at most"
        in schemas["FindingList"]["properties"]["findings"]["description"]
    )
