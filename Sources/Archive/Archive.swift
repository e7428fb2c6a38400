// Archive: see its issue.
