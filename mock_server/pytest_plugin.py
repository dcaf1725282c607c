"""The pytest plugin: a TikTok mock for the test session, and the generated client wired to it.

Installed with the mock (the `pytest11` entry point `tiktok_mock`), it gives every test:

- `tiktok_mock`: the running mock. `url`, the default `tokens`, `add_token(...)` to give a
  test its own users and tokens, `add_scenario(...)` to queue errors, network faults and
  delays for the next requests, `client(token)` for a generated client sending another
  token, and `requests`, what the mock received during the test, tokens redacted. These are
  the admin API's operations, called in-process. It serves the OAuth endpoints too; it is
  back to its start-up state (`reset()`) before and after each test.
- `tiktok_client`: the generated `AuthenticatedClient` for the mock's URL, with the token
  of TikTok's documentation example; call it sync or async.
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from tiktok_user_info_client import AuthenticatedClient

    from .app import MockApp
    from .embedded import Served
    from .fixtures import Grant
    from .journal import RecordedRequest

# The mock itself is imported when a test first asks for it, not when pytest loads its
# plugins: a test session that never uses it does not pay for it.

__all__ = ["TikTokMock"]

T = TypeVar("T")


class TikTokMock:
    """The mock that `tiktok_mock` runs; see the module's docstring."""

    def __init__(self, app: MockApp, served: Served) -> None:
        self.app = app
        self.url = served.url
        self._served = served
        self.tokens: Mapping[str, Grant] = dict(app.state.fixtures.grants)

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received since the test began, oldest first, tokens redacted."""
        return self._served.call(self.app.admin.requests())

    def add_token(
        self,
        token: str,
        user: Mapping[str, Any],
        scopes: Iterable[str] | None = None,
        *,
        expired: bool = False,
    ) -> None:
        """Make `token` grant `scopes` (by default what `getUserInfo` requires at the least,
        `user.info.basic`) on `user` (a dict of User fields) for this test.

        Raises `ValueError` if the user or the scopes do not fit the spec.
        """
        payload: dict[str, Any] = {
            "token": token,
            "user": dict(user) if isinstance(user, Mapping) else user,
            "expired": expired,
        }
        if scopes is not None:  # a str is refused
            payload["scopes"] = scopes if isinstance(scopes, str) else list(scopes)
        self._as_value_error(self.app.admin.add_token(payload))

    def add_scenario(self, operation: str, **answer: Any) -> dict[str, Any]:
        """Queue an answer for the next requests of `operation` (an operationId, or
        `"authorize"` for the consent page): `error=`, `fault=`, `delay_ms=`, `times=`,
        `token=`, and for the consent page `consent=` and `scopes=`, as the admin API's
        `POST /__mock/scenarios` takes them. Raises `ValueError` for a scenario it refuses.
        """
        return self._as_value_error(self.app.admin.add_scenario({"operation": operation, **answer}))

    def client(self, token: str | None = None) -> AuthenticatedClient:
        """A generated client for the mock that sends `token` (by default the token of
        TikTok's documentation example).

        It retries as the client does by default, but without waiting between attempts
        (the mock's failures are the ones a test asks for); it ignores the proxy settings
        of the environment (`HTTP_PROXY`, ...): the mock is on this machine, and a proxy in
        between would only get in the way; and it keeps no connection open between
        requests, so that a client left unclosed, used sync or async, leaves nothing open.
        """
        import httpx

        from tiktok_user_info_client import AuthenticatedClient
        from tiktok_user_info_client.retries import Retries

        from .fixtures import EXAMPLE_TOKEN

        if token == "":
            raise ValueError("token: empty; leave it out to send the example's token")
        return AuthenticatedClient(
            base_url=self.url,
            token=EXAMPLE_TOKEN if token is None else token,
            retries=Retries(initial_delay=0.0),
            httpx_args={"trust_env": False, "limits": httpx.Limits(max_keepalive_connections=0)},
        )

    def reset(self) -> None:
        """Back to the start-up state: added tokens, scenarios, requests and rate limits gone."""
        self._served.call(self.app.admin.reset())

    def _as_value_error(self, operation: Coroutine[Any, Any, T]) -> T:
        """What the admin `operation` returns; ValueError saying why if it refuses."""
        from .admin import AdminError

        try:
            return self._served.call(operation)
        except AdminError as refused:
            raise ValueError("; ".join(refused.problems or [refused.message])) from None


@pytest.fixture(scope="session")
def _tiktok_mock_session() -> Iterator[TikTokMock]:
    from .embedded import served
    from .server import Options, create_app

    app = create_app(Options())
    with served(app) as running:
        yield TikTokMock(app, running)


@pytest.fixture
def tiktok_mock(_tiktok_mock_session: TikTokMock) -> Iterator[TikTokMock]:
    """The session's mock, back to its start-up state before and after the test."""
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
