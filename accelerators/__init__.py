"""Accelerator templates (one file each, registered in ``codesign.hardware.TEMPLATES``) and
named presets of real designs (``presets/*.yaml``, each citing its sources)."""
