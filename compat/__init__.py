"""The version gate: every change of the spec, the generated client's and the mock's public API
since a baseline needs a new `info.version`, as large as semantic versioning says."""
