"""The benchmark (bench/)."""
