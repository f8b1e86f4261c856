"""Antonia: the controller of a self-service city hall kiosk."""
