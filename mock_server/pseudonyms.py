"""Pseudonyms for a corpus that can be shared: keyed, so that nobody without the key can test
a guess of a value against its pseudonym, and stable, so that the same value always gets the
same pseudonym under one key.

A credential becomes a label (`act.redacted.3f9a…`): it keeps its kind and stays the same
credential across the corpus, and tells nothing of the value. A personal value keeps its type
and shape: letters stay letters, digits digits, hexadecimal stays hexadecimal, punctuation
and length stay, and a URL keeps its scheme and host.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
from urllib.parse import urlsplit

__all__ = ["Pseudonyms"]

HEX = re.compile(r"[0-9a-f-]+")
KINDS = ("act.", "rft.", "clt.")
"""The prefixes of TikTok's tokens, which a label keeps."""


class Pseudonyms:
    """Labels and pseudonyms under one secret `key`."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def label(self, credential: str) -> str:
        """A token, secret or code as a label of the same kind."""
        kind = next((prefix for prefix in KINDS if credential.startswith(prefix)), "")
        return f"{kind}redacted.{self._digest(credential).hex()[:16]}"

    def value(self, value: str) -> str:
        """A personal value as another of the same shape."""
        if value.startswith(("https://", "http://")):
            parts = urlsplit(value)
            head = f"{parts.scheme}://{parts.netloc}"
            return head + self._shaped(value[len(head) :], value)
        return self._shaped(value, value)

    def _shaped(self, text: str, seed: str) -> str:
        stream = self._stream(seed, len(text))
        hexadecimal = HEX.fullmatch(text) is not None
        out = []
        for char, byte in zip(text, stream, strict=True):
            if hexadecimal and char in string.hexdigits:
                out.append("0123456789abcdef"[byte % 16])
            elif char.isdigit():
                out.append(string.digits[byte % 10])
            elif char.isupper():
                out.append(string.ascii_uppercase[byte % 26])
            elif char.isalpha():
                out.append(string.ascii_lowercase[byte % 26])
            else:
                out.append(char)
        return "".join(out)

    def _stream(self, seed: str, length: int) -> bytes:
        blocks = b""
        counter = 0
        while len(blocks) < length:
            blocks += self._digest(f"{counter}:{seed}")
            counter += 1
        return blocks[:length]

    def _digest(self, text: str) -> bytes:
        return hmac.new(self._key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
