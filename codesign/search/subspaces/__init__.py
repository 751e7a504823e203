"""Sub-spaces of the joint search space: one registered class per file (see ``base.py``)."""
