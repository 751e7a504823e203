"""Choices the report commands offer, kept apart from the modules that use them so that building
the CLI parser imports nothing heavy."""
from __future__ import annotations

#: Front designs given per-layer detail in an HTML report by default (each distinct
#: architecture costs a workload extraction, an fx trace: ~0.5 s under load, most of a report's
#: build; ``benchmarks/report_speed.py`` times a 1,000-trial report with this many).
DETAIL_LIMIT = 8
#: Static plots of ``codesign plot``.
PLOT_KINDS = ("front", "hypervolume", "layers", "roofline")
#: Optuna importance evaluators by name (``codesign/report/importance.py``).
IMPORTANCE_EVALUATORS = ("ped_anova", "fanova", "mean_decrease_impurity")
