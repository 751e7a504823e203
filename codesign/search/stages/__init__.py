"""Evaluation stages: one registered class per file (see ``base.py``); stage sets in ``sets.py``."""
