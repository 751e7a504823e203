"""The joint search: metrics, strategies, executors, evaluation and the ask/tell loop."""
