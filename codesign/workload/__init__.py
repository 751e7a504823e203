"""Workloads: networks as loop-nest layers and the tensors that flow between them."""
from codesign.workload.files import load_workload
from codesign.workload.graph import Tensor, TensorGraph
from codesign.workload.layer import MAC_OPS, OPS, VECTOR_OPS, Layer
from codesign.workload.workload import LayerArrays, Workload

__all__ = ["Layer", "LayerArrays", "MAC_OPS", "OPS", "Tensor", "TensorGraph", "VECTOR_OPS", "Workload",
           "load_workload"]
