"""The OpenAPI document (openapi/)."""
