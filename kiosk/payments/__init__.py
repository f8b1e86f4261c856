"""Card payments: the durable payment journal and the payment flows."""
