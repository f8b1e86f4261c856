"""The touch screen: Qt widgets that render the session and forward touches."""
