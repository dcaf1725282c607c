"""The contract suite against any deployment of the API (`tiktok-contract`): schemathesis with
every check on, its reports, and the spec's answers and links each run reached."""
