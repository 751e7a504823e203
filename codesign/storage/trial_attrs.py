"""The keys codesign stores on Optuna trials, in one place (user and system attributes)."""
from __future__ import annotations

#: User attribute holding a trial's result: parts, metrics, timings, error or infeasibility.
RESULT_ATTR = "result"
#: Key of the result that holds each sub-space's part (``SubSpace.to_dict``), by sub-space name.
PARTS = "parts"
#: Where runs written before sub-spaces (issue 9) kept the parts in the result.
LEGACY_PART_KEYS = {"arch": "arch", "hw": "hardware"}
#: User attribute: a trial a killed run left RUNNING; its parameters were queued again, so it
#: does not count against the budget.
REQUEUED_ATTR = "requeued"
#: User attribute of a trial queued again on resume: the number of the trial it replaces.
REQUEUE_OF_ATTR = "requeue_of"
#: User attribute of a trial whose architecture was queued from a prepared sample (a rank
#: combination's reference sample, already scored): the sample's name and the index in it.
SEEDED_ATTR = "seeded_from"
#: System attributes of the nested strategy: a trial's round and slot in it.
ROUND_KEY = "codesign:nested_round"
SLOT_KEY = "codesign:nested_slot"
#: System attribute of the grid strategy: the grid point a trial was given.
GRID_KEY = "codesign:grid_index"
