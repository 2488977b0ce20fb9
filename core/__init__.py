"""Shared plumbing: configuration, database, Redis and time."""
