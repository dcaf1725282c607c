"""The kit's tests, one package for each of its parts."""
