"""Calls: the journey of every call, from first ring to how it ended, and feedback."""
