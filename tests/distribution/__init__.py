"""The packages as built and installed (`make dist`)."""
