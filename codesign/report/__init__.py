"""Reports on runs: Pareto fronts and export bundles."""
