// Neural: see its issue.
