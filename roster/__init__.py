"""Roster: agents, their skills, shifts and the desk's opening hours."""
