"""Semantic versions: the size of a change, and the least version that announces it."""

from __future__ import annotations

import enum
import re

__all__ = ["Kind", "Version"]

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


class Kind(enum.IntEnum):
    """What a change of the API is, in the order of the version number it needs raised."""

    DOCUMENTATION = 1
    """A fix of the documents alone: a new patch number."""
    ADDITION = 2
    """Compatible with every caller: a new minor number."""
    BREAKING = 3
    """Some caller breaks: a new major number."""

    @property
    def label(self) -> str:
        return self.name.lower()


class Version(tuple[int, int, int]):
    """`major.minor.patch`, as `info.version` must be written."""

    @classmethod
    def parse(cls, text: object) -> Version:
        match = SEMVER.fullmatch(str(text))
        if match is None:
            raise ValueError(f"info.version {str(text)!r} is not a version major.minor.patch")
        return cls(int(part) for part in match.groups())

    def __str__(self) -> str:
        return ".".join(map(str, self))

    def raised(self, kind: Kind) -> Version:
        """The least version after this one that announces a change of `kind`."""
        major, minor, patch = self
        if kind is Kind.BREAKING:
            return Version((major + 1, 0, 0))
        if kind is Kind.ADDITION:
            return Version((major, minor + 1, 0))
        return Version((major, minor, patch + 1))

    def announces(self, kind: Kind, new: Version) -> bool:
        """Whether going from this version to `new` announces a change of `kind`."""
        return new >= self.raised(kind)
