"""Outbound texts: the one door every SMS goes through, and the opt-out register it obeys."""
