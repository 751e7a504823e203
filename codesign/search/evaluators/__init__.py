"""Evaluators besides the model evaluator: each module registers one in ``EVALUATORS``."""
