"""Stage 1, collect: the release students get and the submissions they hand in, into the course root."""
