"""Data files shipped with the kiosk (the catalogue)."""
