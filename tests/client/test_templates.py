"""The generator's overrides: each patches the installed generator's own template, which
is the version it was written for, and stops the generator when a patch no longer applies."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "generator" / "templates"
OVERRIDES = sorted(
    path for path in TEMPLATES.glob("*.jinja") if '{% include "upstream/' in path.read_text()
)
"""The templates that patch upstream's template of the same name."""


def environment() -> jinja2.Environment:
    """The generator's Jinja settings, over generator/templates/."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def test_the_overrides_patch_the_installed_generators_templates() -> None:
    assert {path.name for path in OVERRIDES} >= {
        "client.py.jinja",
        "endpoint_module.py.jinja",
        "model.py.jinja",
        "types.py.jinja",
    }
    for path in OVERRIDES:
        assert f'{{% include "upstream/{path.name}" %}}' in path.read_text(), path.name


def test_the_installed_generator_is_the_one_the_overrides_were_written_for() -> None:
    installed = version("openapi-python-client")
    for path in OVERRIDES:
        header = re.match(r"\{#(.*?)#\}", path.read_text(), re.DOTALL)
        assert header is not None, f"{path.name} has no header saying what it changes"
        written_for = re.findall(r"openapi-python-client (\S+)'s", header.group(1))
        assert written_for == [installed], (
            f"{path.name} was written for openapi-python-client {written_for}, and "
            f"{installed} is installed: check its patches against the new template"
        )


def test_the_upstream_link_is_the_installed_generators_templates() -> None:
    import openapi_python_client

    link = TEMPLATES / "upstream"
    assert link.is_symlink()
    assert link.resolve() == (Path(openapi_python_client.__file__).parent / "templates").resolve()


def render_patched(text: str, changes: list[tuple[str, str]]) -> str:
    template = environment().from_string(
        '{% from "patch.jinja" import patched %}{{ patched(text, changes) }}'
    )
    return template.render(text=text, changes=changes)


def test_a_patch_replaces_each_occurrence() -> None:
    assert render_patched("a = 1\nb = 1\n", [("1", "2"), ("b", "c")]) == "a = 2\nc = 2\n"


def test_a_patch_that_no_longer_applies_stops_the_generator_naming_it() -> None:
    with pytest.raises(jinja2.UndefinedError, match='no longer contains "verify=self'):
        render_patched("a = 1\n", [("a", "b"), ("verify=self._verify_ssl", "x")])


def test_template_diff_shows_the_overrides_changes() -> None:
    shown = subprocess.run(
        ["make", "--no-print-directory", "-s", "template-diff"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "+            install_retries(self._client, self.retries)" in shown
    assert "-        raise errors.UnexpectedStatus(response.status_code, response.content)" in shown
    assert "Only in ours/tiktok_user_info_client: " not in shown  # the hooks run for both
