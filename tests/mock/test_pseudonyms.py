"""Labels and pseudonyms: stable under one key, different under another, of the same shape."""

from __future__ import annotations

import re

from mock_server.pseudonyms import Pseudonyms

ONE, OTHER = Pseudonyms(b"k" * 32), Pseudonyms(b"o" * 32)


def test_a_label_keeps_the_kind_and_tells_nothing() -> None:
    label = ONE.label("act.secret-token")
    assert re.fullmatch(r"act\.redacted\.[0-9a-f]{16}", label)
    assert ONE.label("act.secret-token") == label != OTHER.label("act.secret-token")
    assert ONE.label("plain-secret").startswith("redacted.")
    assert "secret" not in label


def test_a_value_keeps_its_shape() -> None:
    assert re.fullmatch(r"[a-z]{4}\.[a-z]{5}", ONE.value("mock.alice"))
    uuid = ONE.value("723f24d7-e717-40f8-a2b6-cb8464cd23b4")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", uuid)
    assert re.fullmatch(r"[A-Z][a-z]{3} [A-Z][a-z]{3}", ONE.value("Mock User"))
    assert len(ONE.value("ผู้ใช้")) == len("ผู้ใช้")


def test_a_url_keeps_its_scheme_and_host() -> None:
    url = "https://p16-sign.tiktokcdn-us.com/tos/alice~c5.jpeg"
    pseudonym = ONE.value(url)
    assert pseudonym.startswith("https://p16-sign.tiktokcdn-us.com/") and "alice" not in pseudonym
    assert len(pseudonym) == len(url) and pseudonym == ONE.value(url) != OTHER.value(url)
