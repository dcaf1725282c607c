"""Semantic versions and the size of a change."""

from __future__ import annotations

import pytest

from compat.versions import Kind, Version


def test_the_least_version_each_kind_needs() -> None:
    version = Version.parse("3.1.4")
    assert [str(version.raised(kind)) for kind in Kind] == ["3.1.5", "3.2.0", "4.0.0"]
    assert version.announces(Kind.ADDITION, Version.parse("3.10.0"))
    assert version.announces(Kind.ADDITION, Version.parse("4.0.0"))
    assert not version.announces(Kind.ADDITION, Version.parse("3.1.9"))
    assert not version.announces(Kind.BREAKING, Version.parse("3.99.0"))
    assert not version.announces(Kind.DOCUMENTATION, version)


@pytest.mark.parametrize("text", ["3.0", "v3.0.0", "3.0.0-rc1", "03.0.0", 3.0])
def test_only_major_minor_patch(text: object) -> None:
    with pytest.raises(ValueError, match=r"is not a version major\.minor\.patch"):
        Version.parse(text)
