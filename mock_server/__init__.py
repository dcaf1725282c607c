"""A mock of TikTok's `GET /v2/user/info/`, built from the kit's OpenAPI document."""
