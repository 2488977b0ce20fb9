"""The automatic call distributor: a Redis-backed queue that routes calls to agents."""
