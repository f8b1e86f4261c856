"""Technician diagnostics: one check per part of the kiosk."""
