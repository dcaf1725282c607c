"""The breaking-change gate: the spec and the generated client's public API against a baseline."""
