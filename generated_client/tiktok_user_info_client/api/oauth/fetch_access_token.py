from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.o_auth_error import OAuthError
from ...models.token_request import TokenRequest
from ...models.token_response import TokenResponse
from ...types import Response


def _get_kwargs(
    *,
    body: TokenRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/oauth/token/",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OAuthError | TokenResponse | None:
    if response.status_code == 200:
        response_200 = TokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = OAuthError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = OAuthError.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = OAuthError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = OAuthError.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content, response.headers)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[OAuthError | TokenResponse]:
    try:
        parsed = _parse_response(client=client, response=response)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise errors.UnexpectedContent(response.status_code, response.content, response.headers) from error
    try:
        status_code: HTTPStatus | int = HTTPStatus(response.status_code)
    except ValueError:
        status_code = response.status_code
    return Response(
        status_code=status_code,
        content=response.content,
        headers=response.headers,
        parsed=parsed,
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRequest,
) -> Response[OAuthError | TokenResponse]:
    """Get or refresh an access token

     Exchanges an authorization code (`grant_type=authorization_code`) or a
    refresh token (`grant_type=refresh_token`) for an access token and a
    new refresh token. Refresh tokens rotate: once a new one is issued, the
    old one stops working. Use the returned `expires_in`, not a constant.
    Errors come in OAuth's shape, not the `data` + `error` envelope; this
    document chooses HTTP 401 for `invalid_client`, 429
    `temporarily_unavailable` when too many requests come too fast, 500
    `server_error` for TikTok's own failures, and 400 for the others.

    Args:
        body (TokenRequest): `client_key`, `client_secret` and `grant_type` always; `code` and
            `redirect_uri` (and `code_verifier` with PKCE) for `authorization_code`;
            `refresh_token` for `refresh_token`. A parameter given empty is
            refused with `invalid_request`, as if it were malformed. TikTok
            publishes no length limits; this document chooses 2048 characters for
            each string, which is more than its tokens, codes and redirect URIs
            need.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthError | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRequest,
) -> OAuthError | TokenResponse | None:
    """Get or refresh an access token

     Exchanges an authorization code (`grant_type=authorization_code`) or a
    refresh token (`grant_type=refresh_token`) for an access token and a
    new refresh token. Refresh tokens rotate: once a new one is issued, the
    old one stops working. Use the returned `expires_in`, not a constant.
    Errors come in OAuth's shape, not the `data` + `error` envelope; this
    document chooses HTTP 401 for `invalid_client`, 429
    `temporarily_unavailable` when too many requests come too fast, 500
    `server_error` for TikTok's own failures, and 400 for the others.

    Args:
        body (TokenRequest): `client_key`, `client_secret` and `grant_type` always; `code` and
            `redirect_uri` (and `code_verifier` with PKCE) for `authorization_code`;
            `refresh_token` for `refresh_token`. A parameter given empty is
            refused with `invalid_request`, as if it were malformed. TikTok
            publishes no length limits; this document chooses 2048 characters for
            each string, which is more than its tokens, codes and redirect URIs
            need.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthError | TokenResponse
    """

    response = sync_detailed(
        client=client,
        body=body,
    )
    if client.raise_on_error:
        errors.raise_for_error(response)
    return response.parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRequest,
) -> Response[OAuthError | TokenResponse]:
    """Get or refresh an access token

     Exchanges an authorization code (`grant_type=authorization_code`) or a
    refresh token (`grant_type=refresh_token`) for an access token and a
    new refresh token. Refresh tokens rotate: once a new one is issued, the
    old one stops working. Use the returned `expires_in`, not a constant.
    Errors come in OAuth's shape, not the `data` + `error` envelope; this
    document chooses HTTP 401 for `invalid_client`, 429
    `temporarily_unavailable` when too many requests come too fast, 500
    `server_error` for TikTok's own failures, and 400 for the others.

    Args:
        body (TokenRequest): `client_key`, `client_secret` and `grant_type` always; `code` and
            `redirect_uri` (and `code_verifier` with PKCE) for `authorization_code`;
            `refresh_token` for `refresh_token`. A parameter given empty is
            refused with `invalid_request`, as if it were malformed. TikTok
            publishes no length limits; this document chooses 2048 characters for
            each string, which is more than its tokens, codes and redirect URIs
            need.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthError | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TokenRequest,
) -> OAuthError | TokenResponse | None:
    """Get or refresh an access token

     Exchanges an authorization code (`grant_type=authorization_code`) or a
    refresh token (`grant_type=refresh_token`) for an access token and a
    new refresh token. Refresh tokens rotate: once a new one is issued, the
    old one stops working. Use the returned `expires_in`, not a constant.
    Errors come in OAuth's shape, not the `data` + `error` envelope; this
    document chooses HTTP 401 for `invalid_client`, 429
    `temporarily_unavailable` when too many requests come too fast, 500
    `server_error` for TikTok's own failures, and 400 for the others.

    Args:
        body (TokenRequest): `client_key`, `client_secret` and `grant_type` always; `code` and
            `redirect_uri` (and `code_verifier` with PKCE) for `authorization_code`;
            `refresh_token` for `refresh_token`. A parameter given empty is
            refused with `invalid_request`, as if it were malformed. TikTok
            publishes no length limits; this document chooses 2048 characters for
            each string, which is more than its tokens, codes and redirect URIs
            need.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthError | TokenResponse
    """

    response = await asyncio_detailed(
        client=client,
        body=body,
    )
    if client.raise_on_error:
        errors.raise_for_error(response)
    return response.parsed
