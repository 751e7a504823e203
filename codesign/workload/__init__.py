"""Workloads: networks as lists of loop-nest layers."""
from codesign.workload.layer import MAC_OPS, OPS, VECTOR_OPS, Layer
from codesign.workload.workload import LayerArrays, Workload, load_workload

__all__ = ["Layer", "LayerArrays", "MAC_OPS", "OPS", "VECTOR_OPS", "Workload", "load_workload"]
