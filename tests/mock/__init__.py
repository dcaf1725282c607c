"""The mock (mock_server/)."""
