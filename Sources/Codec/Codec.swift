// Codec: see its issue.
