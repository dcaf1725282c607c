"""The generated client's cost per call against raw httpx, on one in-process transport."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from mock_server.fixtures import EXAMPLE_TOKEN as TOKEN
from tiktok_user_info_client import AuthenticatedClient
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import UserField

__all__ = ["build_seconds", "per_call_seconds"]

FIELDS = [UserField.OPEN_ID, UserField.UNION_ID, UserField.AVATAR_URL]
TARGET = "/v2/user/info/?fields=open_id,union_id,avatar_url"


def per_call_seconds(body: Any, calls: int = 2000, repeats: int = 7) -> dict[str, float]:
    """Best-of-`repeats` CPU seconds per call: raw httpx (request and `json()`) and the
    client with its defaults (retries on, errors raised), their rounds taken in turn so that
    a busy spell on the machine weighs on both alike."""
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=body))
    raw = httpx.Client(base_url="https://open.tiktokapis.com", transport=transport)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    client = AuthenticatedClient(
        base_url="https://open.tiktokapis.com", token=TOKEN, httpx_args={"transport": transport}
    )
    assert client.retries.max_retries > 0 and client.raise_on_error

    def raw_call() -> None:
        raw.get(TARGET, headers=headers).json()

    def client_call() -> None:
        get_user_info.sync(client=client, fields=FIELDS)

    best = {"httpx": float("inf"), "client": float("inf")}
    with raw, client:
        for _ in range(repeats):
            for name, call in (("httpx", raw_call), ("client", client_call)):
                start = time.process_time()
                for _ in range(calls):
                    call()
                best[name] = min(best[name], (time.process_time() - start) / calls)
    return best


def build_seconds(builds: int = 200, repeats: int = 5) -> dict[str, float]:
    """Best-of-`repeats` seconds to build and close a default client: `httpx.Client()`, and
    the generated `AuthenticatedClient` (its `with` builds the httpx client inside)."""

    def raw_build() -> None:
        with httpx.Client():
            pass

    def client_build() -> None:
        with AuthenticatedClient(base_url="https://open.tiktokapis.com", token=TOKEN):
            pass

    return {
        "httpx": _best(raw_build, max(1, builds // 10), repeats),
        "client": _best(client_build, builds, repeats),
    }


def _best(call: Callable[[], None], calls: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - start) / calls)
    return best
