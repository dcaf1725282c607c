"""What contract runs reached of what the spec documents: its operations, the statuses of
each, the error codes of each status, and the links between operations.

What is documented comes from the spec: each response of each operation, with the codes
of its examples (`error.code` in TikTok's envelope, `error` in OAuth's shape), and each
link. What was reached comes from schemathesis's own NDJSON event reports
(`--report ndjson`): the answer to every request it sent, and every link it followed.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..conformance import error_code
from ..spec import response_examples

__all__ = ["Answer", "Coverage", "Link", "documented", "reached"]


@dataclass(frozen=True, order=True)
class Answer:
    """An answer of an operation: its status and error code (None where it has none)."""

    operation: str
    status: str
    code: str | None

    def __str__(self) -> str:
        return f"{self.operation} {self.status} {self.code or '-'}"


@dataclass(frozen=True, order=True)
class Link:
    """A link of the spec, from an operation's answer of `status` to `target`."""

    operation: str
    status: str
    name: str
    target: str

    def __str__(self) -> str:
        return f"{self.operation} {self.status} link {self.name} -> {self.target}"


@dataclass
class Coverage:
    """How often each run reached each documented answer and link."""

    answers: dict[Answer, Counter[str]]
    links: dict[Link, Counter[str]]
    runs: list[str] = field(default_factory=list)
    other: Counter[Answer] = field(default_factory=Counter)
    """Answers reached that the spec does not document (the checks judge those)."""

    @property
    def unreached(self) -> list[str]:
        """Each documented answer and link that no run reached."""
        items: list[Answer | Link] = [*self.answers, *self.links]
        counts = [*self.answers.values(), *self.links.values()]
        return [str(item) for item, count in zip(items, counts, strict=True) if not count]

    def table(self) -> str:
        """One row for each documented answer and link, one column for each run."""
        rows = [["operation", "status", "error code / link", *self.runs]]
        for answer, counts in self.answers.items():
            rows.append([answer.operation, answer.status, answer.code or "-", *self._cells(counts)])
        for link, counts in self.links.items():
            name = f"link {link.name} -> {link.target}"
            rows.append([link.operation, link.status, name, *self._cells(counts)])
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                 .rstrip() for row in rows]  # fmt: skip
        reached = {answer.operation for answer, counts in self.answers.items() if counts}
        total = len(self.answers) + len(self.links)
        lines.append(
            f"{len(reached)}/{len({a.operation for a in self.answers})} operations, "
            f"{total - len(self.unreached)}/{total} documented answers and links reached"
        )
        for item in self.unreached:
            lines.append(f"NOT REACHED: {item}")
        if self.other:
            listed = ", ".join(f"{answer} ({n})" for answer, n in sorted(self.other.items()))
            lines.append(f"not documented, judged by the checks: {listed}")
        return "\n".join(lines)

    def _cells(self, counts: Counter[str]) -> list[str]:
        return [str(counts[run]) if counts[run] else "-" for run in self.runs]


def documented(document: dict[str, Any]) -> Coverage:
    """Every answer and link the (resolved) spec documents, none reached yet."""
    answers: dict[Answer, Counter[str]] = {}
    links: dict[Link, Counter[str]] = {}
    for _, _, op in _operations(document):
        for status, response in op["responses"].items():
            examples = response_examples({"responses": {status: response}})
            for code in dict.fromkeys([_code(example.value) for example in examples] or [None]):
                answers[Answer(op["operationId"], status, code)] = Counter()
            for name, link in response.get("links", {}).items():
                links[Link(op["operationId"], status, name, link["operationId"])] = Counter()
    return Coverage(answers, links)


def reached(document: dict[str, Any], runs: Mapping[str, Iterable[Path]]) -> Coverage:
    """The spec's answers and links, counted in the NDJSON reports of each run."""
    coverage = documented(document)
    coverage.runs = list(runs)
    operations = {f"{method.upper()} {path}": op["operationId"]
                  for path, method, op in _operations(document)}  # fmt: skip
    links = {(link.operation, link.status, link.name): link for link in coverage.links}
    for run, reports in runs.items():
        for recorder in _recorders(reports):
            for interaction in recorder.get("interactions", {}).values():
                request, response = interaction["request"], interaction.get("response")
                label = f"{request['method']} {urlsplit(request['uri']).path}"
                if label not in operations or response is None:
                    continue
                answer = Answer(operations[label], str(response["status_code"]), _code(response))
                if answer in coverage.answers:
                    coverage.answers[answer][run] += 1
                else:
                    coverage.other[answer] += 1
            for case in recorder.get("cases", {}).values():
                transition = case.get("transition")
                if not (case.get("is_transition_applied") and transition):
                    continue
                # "POST /v2/oauth/token/ -> [200] GetUserInfo -> GET /v2/user/info/"
                source, step, _ = transition["id"].split(" -> ")
                status, _, name = step.removeprefix("[").partition("] ")
                link = links.get((operations.get(source, ""), status, name))
                if link is not None:
                    coverage.links[link][run] += 1
    return coverage


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield path, method, op


def _recorders(reports: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """The recorder of every scenario in the reports: its cases and their requests."""
    for report in reports:
        with report.open(encoding="utf-8") as lines:
            for line in lines:
                event = json.loads(line)
                if "ScenarioFinished" in event:
                    yield event["ScenarioFinished"]["recorder"]


def _code(response_or_body: Any) -> str | None:
    """The error code of a recorded response's JSON body (or of a body), in either shape."""
    body = response_or_body
    if isinstance(body, dict) and "status_code" in body:
        try:
            body = json.loads(base64.b64decode((body.get("content") or {}).get("$base64", "")))
        except ValueError:
            return None
    return error_code(body)
