"""Stage 4, record: one writer puts each result into the gradebook and the course folders, and
logs each grading run."""
