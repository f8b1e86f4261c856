"""Gettext catalogues of the kiosk texts, one folder per language."""
