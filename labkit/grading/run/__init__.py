"""Stage 3, run: execute each submission under nbgrader in a sandboxed kernel, on a Dask cluster or
the old process pool."""
