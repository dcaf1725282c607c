"""The pytest plugin: a TikTok mock for the test session, and the generated client wired to it.

Installed with the mock (the `pytest11` entry point `tiktok_mock`), it gives every test:

- `tiktok_mock`: the running mock. `url`, the default `tokens`, `add_token(...)` to give a
  test its own users and tokens (gone after the test), `client(token)` for a generated
  client sending another token, and `requests`, what the mock received during the test,
  tokens redacted. It serves the OAuth endpoints too; its rate limit, issued codes and
  tokens start afresh for each test.
- `tiktok_client`: the generated `AuthenticatedClient` for the mock's URL, with the token
  of TikTok's documentation example; call it sync or async.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from .app import MockApp, RecordedRequest
from .embedded import serving
from .fixtures import EXAMPLE_TOKEN, Grant, check
from .server import Options, create_app

if TYPE_CHECKING:
    from tiktok_user_info_client import AuthenticatedClient

__all__ = ["TikTokMock"]


class TikTokMock:
    """The mock that `tiktok_mock` runs; see the module's docstring."""

    def __init__(self, app: MockApp, url: str) -> None:
        self.app = app
        self.url = url
        self.tokens: Mapping[str, Grant] = dict(app.grants())

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received since the test began, oldest first, tokens redacted."""
        assert self.app.requests is not None
        return list(self.app.requests)

    def add_token(
        self,
        token: str,
        user: Mapping[str, Any],
        scopes: Iterable[str] = ("user.info.basic",),
        *,
        expired: bool = False,
    ) -> None:
        """Make `token` grant `scopes` on `user` (a dict of User fields) for this test.

        Raises `ValueError` if the user or the scopes do not fit the spec.
        """
        scopes = list(scopes)
        data = {
            "users": {"user": dict(user)},
            "tokens": {token: {"user": "user", "scopes": scopes, "expired": expired}},
        }
        problems = check(data, self.app.contract)
        if problems:
            raise ValueError("; ".join(problems))
        self.app.add_grant(token, Grant(dict(user), frozenset(scopes), expired))

    def client(self, token: str = EXAMPLE_TOKEN) -> AuthenticatedClient:
        """A generated client for the mock that sends `token`.

        It ignores the proxy settings of the environment (`HTTP_PROXY`, ...): the mock is
        on this machine, and a proxy in between would only get in the way.
        """
        from tiktok_user_info_client import AuthenticatedClient

        return AuthenticatedClient(base_url=self.url, token=token, httpx_args={"trust_env": False})

    def reset(self) -> None:
        """Back to the defaults: added tokens removed, requests and rate limits cleared."""
        self.app.reset_state()


@pytest.fixture(scope="session")
def _tiktok_mock_session() -> Iterator[TikTokMock]:
    app = create_app(Options(record=True))
    with serving(app) as url:
        yield TikTokMock(app, url)


@pytest.fixture
def tiktok_mock(_tiktok_mock_session: TikTokMock) -> Iterator[TikTokMock]:
    """The session's mock, reset to its defaults after the test."""
    _tiktok_mock_session.reset()
    try:
        yield _tiktok_mock_session
    finally:
        _tiktok_mock_session.reset()


@pytest.fixture
def tiktok_client(tiktok_mock: TikTokMock) -> Iterator[AuthenticatedClient]:
    """The generated client, for the mock, with the documentation example's token."""
    with tiktok_mock.client() as client:
        yield client
