"""Experiment configuration (YAML → validated pydantic models)."""
from codesign.config.schema import ExperimentConfig, load_config, parse_config

__all__ = ["ExperimentConfig", "load_config", "parse_config"]
