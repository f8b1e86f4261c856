"""Device drivers and their simulators, one module per device."""
