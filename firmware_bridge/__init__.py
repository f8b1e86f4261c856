"""Host side of the serial link to the kiosk's microcontroller."""
