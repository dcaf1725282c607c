"""The generated client (generated_client/) and its generator (generator/)."""
