"""An out-of-tree codesign plugin (the worked example of docs/plugins.md): an operating-voltage
sub-space and a stage that rescales the accelerator's energy and latency to that voltage.

Installed, it is found through the ``codesign.plugins`` entry point (``voltage =
codesign_voltage``); importing the package registers both classes."""
from codesign_voltage.stage import VoltageScaling
from codesign_voltage.subspace import VoltageSubSpace

__all__ = ["VoltageScaling", "VoltageSubSpace"]
