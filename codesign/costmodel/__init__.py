"""Analytical cost models (registered in ``COST_MODELS``) and the primitives they share."""
