"""The contract suite against any deployment of the API: schemathesis, every check on."""
