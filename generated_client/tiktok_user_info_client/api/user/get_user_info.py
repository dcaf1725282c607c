from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.user_field import UserField
from ...models.user_info_response import UserInfoResponse
from ...query import encode_query, member
from ...retries import RETRIES_EXTENSION, Retries
from ...types import UNSET, Response


def _get_kwargs(
    *,
    fields: list[UserField] | list[str],
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_fields = []
    for fields_item_data in fields:
        fields_item = member(UserField, fields_item_data).value
        json_fields.append(fields_item)

    params["fields"] = json_fields

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/user/info/",
    }

    _kwargs["url"] += "?" + encode_query(params)
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> UserInfoResponse | None:
    if response.status_code == 200:
        response_200 = UserInfoResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = UserInfoResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = UserInfoResponse.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = UserInfoResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = UserInfoResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content, response.headers)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[UserInfoResponse]:
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
    client: AuthenticatedClient,
    fields: list[UserField] | list[str],
    retries: Retries | None = None,
) -> Response[UserInfoResponse]:
    """Get user info

     Returns the requested `fields` of the user who authorized the access
    token. Only the requested fields come back, and each needs its scope
    (`x-tiktok-scope` on the `User` field) granted to the token.

    Read the body, not only the status: every response carries the
    `error` object, and `error.code` is `ok` only on success.

    Args:
        fields (list[UserField] | list[str]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[UserInfoResponse]
    """

    kwargs = _get_kwargs(
        fields=fields,
    )

    kwargs["extensions"] = {RETRIES_EXTENSION: retries or client.retries}
    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    fields: list[UserField] | list[str],
    retries: Retries | None = None,
) -> UserInfoResponse | None:
    """Get user info

     Returns the requested `fields` of the user who authorized the access
    token. Only the requested fields come back, and each needs its scope
    (`x-tiktok-scope` on the `User` field) granted to the token.

    Read the body, not only the status: every response carries the
    `error` object, and `error.code` is `ok` only on success.

    Args:
        fields (list[UserField] | list[str]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        UserInfoResponse
    """

    response = sync_detailed(
        client=client,
        fields=fields,
        retries=retries,
    )
    if client.raise_on_error:
        errors.raise_for_error(response)
    return response.parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    fields: list[UserField] | list[str],
    retries: Retries | None = None,
) -> Response[UserInfoResponse]:
    """Get user info

     Returns the requested `fields` of the user who authorized the access
    token. Only the requested fields come back, and each needs its scope
    (`x-tiktok-scope` on the `User` field) granted to the token.

    Read the body, not only the status: every response carries the
    `error` object, and `error.code` is `ok` only on success.

    Args:
        fields (list[UserField] | list[str]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[UserInfoResponse]
    """

    kwargs = _get_kwargs(
        fields=fields,
    )

    kwargs["extensions"] = {RETRIES_EXTENSION: retries or client.retries}
    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    fields: list[UserField] | list[str],
    retries: Retries | None = None,
) -> UserInfoResponse | None:
    """Get user info

     Returns the requested `fields` of the user who authorized the access
    token. Only the requested fields come back, and each needs its scope
    (`x-tiktok-scope` on the `User` field) granted to the token.

    Read the body, not only the status: every response carries the
    `error` object, and `error.code` is `ok` only on success.

    Args:
        fields (list[UserField] | list[str]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        UserInfoResponse
    """

    response = await asyncio_detailed(
        client=client,
        fields=fields,
        retries=retries,
    )
    if client.raise_on_error:
        errors.raise_for_error(response)
    return response.parsed
