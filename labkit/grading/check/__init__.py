"""Stage 2, check: each submission against its release (repaired when nbgrader could not grade it),
and the course's own notebooks and gradebook — before any student code runs."""
