"""The README and the documentation site (docs/)."""
