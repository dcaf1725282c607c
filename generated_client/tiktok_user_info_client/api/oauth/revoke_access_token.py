from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.o_auth_error import OAuthError
from ...models.revoke_request import RevokeRequest
from ...models.revoke_response import RevokeResponse
from ...types import Response


def _get_kwargs(
    *,
    body: RevokeRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/oauth/revoke/",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OAuthError | RevokeResponse | None:
    if response.status_code == 200:
        response_200 = RevokeResponse.from_dict(response.json())

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
) -> Response[OAuthError | RevokeResponse]:
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
    body: RevokeRequest,
) -> Response[OAuthError | RevokeResponse]:
    """Revoke an access token

     Revokes an access token and its refresh token; the user must authorize
    the app again. As OAuth's token revocation (RFC 7009) prescribes, this
    document answers 200 for a token that is unknown or already revoked.
    Errors are those of the token endpoint, in OAuth's shape.

    Args:
        body (RevokeRequest): The app's credentials and the access token to revoke. As for the
            token
            request, this document chooses 2048 characters for each string.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthError | RevokeResponse]
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
    body: RevokeRequest,
) -> OAuthError | RevokeResponse | None:
    """Revoke an access token

     Revokes an access token and its refresh token; the user must authorize
    the app again. As OAuth's token revocation (RFC 7009) prescribes, this
    document answers 200 for a token that is unknown or already revoked.
    Errors are those of the token endpoint, in OAuth's shape.

    Args:
        body (RevokeRequest): The app's credentials and the access token to revoke. As for the
            token
            request, this document chooses 2048 characters for each string.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthError | RevokeResponse
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
    body: RevokeRequest,
) -> Response[OAuthError | RevokeResponse]:
    """Revoke an access token

     Revokes an access token and its refresh token; the user must authorize
    the app again. As OAuth's token revocation (RFC 7009) prescribes, this
    document answers 200 for a token that is unknown or already revoked.
    Errors are those of the token endpoint, in OAuth's shape.

    Args:
        body (RevokeRequest): The app's credentials and the access token to revoke. As for the
            token
            request, this document chooses 2048 characters for each string.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthError | RevokeResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RevokeRequest,
) -> OAuthError | RevokeResponse | None:
    """Revoke an access token

     Revokes an access token and its refresh token; the user must authorize
    the app again. As OAuth's token revocation (RFC 7009) prescribes, this
    document answers 200 for a token that is unknown or already revoked.
    Errors are those of the token endpoint, in OAuth's shape.

    Args:
        body (RevokeRequest): The app's credentials and the access token to revoke. As for the
            token
            request, this document chooses 2048 characters for each string.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthError | RevokeResponse
    """

    response = await asyncio_detailed(
        client=client,
        body=body,
    )
    if client.raise_on_error:
        errors.raise_for_error(response)
    return response.parsed
