"""Training side of octarc: the codec networks, their losses, data, export to Profiles/."""
