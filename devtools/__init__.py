"""Tools for local development and tests: the one-machine runner and its demo data."""
