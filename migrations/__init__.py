"""Alembic migrations for Helpline's schema."""
