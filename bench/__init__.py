"""`make bench`: the mock, the bare-server ceiling and Prism, side by side in one run."""
