// EntropyCoding: see its issue.
