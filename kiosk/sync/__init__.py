"""Synchronisation with the city hall back-end."""
