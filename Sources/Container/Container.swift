// Container: see its issue.
