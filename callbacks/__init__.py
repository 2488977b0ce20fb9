"""Callbacks: a caller's place kept while they hang up, and the calls that honour it."""
