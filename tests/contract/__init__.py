"""The contract suite, `tiktok-contract` (mock_server/contract_suite/)."""
