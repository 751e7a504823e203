"""Accelerator configurations, templates, presets and hardware search ranges."""
