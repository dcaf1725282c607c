"""The breaking-change gate (compat/)."""
