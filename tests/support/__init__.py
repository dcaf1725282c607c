"""What the tests share besides fixtures: helpers, oracles and the facts of TikTok's documents."""
