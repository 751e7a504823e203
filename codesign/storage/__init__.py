"""Run directories and the Optuna study inside them."""
