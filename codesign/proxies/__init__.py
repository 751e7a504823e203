"""Zero-cost accuracy proxies (registered in ``PROXIES``)."""
