// Preprocessing: see its issue.
