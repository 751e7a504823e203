"""A module traced into a ``torch.fx`` graph with the shapes of its values, cheaply.

``trace``: ``torch.fx.symbolic_trace``'s graph, with the module's parameters and buffers looked
up by identity. ``record_shapes``: ``ShapeProp``'s shapes (``node.meta["tensor_meta"].shape``)
from an interpreter over the original module and the graph.

fx's tracer finds the name of a parameter or buffer that the traced code touches by scanning
``root.named_parameters()`` / ``named_buffers()`` on every access (``Tracer.getattr`` and
``Tracer.create_arg``), which is quadratic in the layers: on a 600-node MBConv network it was
half of the workload extraction. This tracer indexes them once per trace and answers from the
index, with fx's own semantics (the first name a tensor has in module order, a parameter found
among the parameters before the buffers); the graph it records is the same node for node
(tests/workload/test_tracer.py compares it with fx's).

Neither builds a ``GraphModule`` (its generated Python code and compilation are not needed to
read the graph), and the shapes are recorded without ``ShapeProp``'s strides, memory formats
and quantisation fields, which the extraction does not read: together they were another third of
its time."""
from __future__ import annotations

from typing import Any, NamedTuple

import torch
import torch.fx
import torch.nn as nn
from torch.fx.node import map_aggregate


def _first_names(pairs: Any) -> dict[int, tuple[str, torch.Tensor]]:
    """``id(tensor) -> (first name, tensor)``; the tensor is held so the id stays its own."""
    index: dict[int, tuple[str, torch.Tensor]] = {}
    for name, tensor in pairs:
        index.setdefault(id(tensor), (name, tensor))
    return index


class IndexedTracer(torch.fx.Tracer):
    """fx's default tracer, answering parameter and buffer names from a per-trace index."""

    def trace(self, root: Any, concrete_args: dict[str, Any] | None = None) -> torch.fx.Graph:
        if isinstance(root, nn.Module):
            self._params = _first_names(root.named_parameters())
            self._buffers = _first_names(root.named_buffers())
        try:
            return super().trace(root, concrete_args)
        finally:
            self._params, self._buffers = {}, {}

    def _lookup(self, index: dict[int, tuple[str, torch.Tensor]], value: Any) -> str | None:
        hit = index.get(id(value))
        return hit[0] if hit is not None and hit[1] is value else None

    def getattr(self, attr: str, attr_val: Any, parameter_proxy_cache: dict[str, Any]) -> Any:
        name = None
        if isinstance(attr_val, nn.Parameter):
            name = self._lookup(self._params, attr_val)
        if name is None and self.proxy_buffer_attributes and isinstance(attr_val, torch.Tensor):
            name = self._lookup(self._buffers, attr_val)
        if name is None:  # not indexed (e.g. registered during the trace): fx's own scan
            return super().getattr(attr, attr_val, parameter_proxy_cache)
        if name not in parameter_proxy_cache:
            factory = None
            if self.param_shapes_constant:
                factory = lambda node: torch.fx.proxy.ParameterProxy(self, node, name, attr_val)  # noqa: E731
            parameter_proxy_cache[name] = self.create_proxy("get_attr", name, (), {}, proxy_factory_fn=factory)
        return parameter_proxy_cache[name]

    def create_arg(self, a: Any) -> Any:
        if isinstance(a, nn.Parameter):
            name = self._lookup(self._params, a)
        elif isinstance(a, torch.Tensor):
            name = self._lookup(self._buffers, a)
        else:
            name = None
        if name is not None:
            return self.create_node("get_attr", name, (), {})
        return super().create_arg(a)  # not indexed: fx's own handling (scan, constants, containers)


def trace(model: nn.Module) -> torch.fx.Graph:
    """The graph ``torch.fx.symbolic_trace(model)`` records, without its ``GraphModule``; its
    ``get_attr`` and ``call_module`` targets name attributes of ``model`` itself."""
    return IndexedTracer().trace(model)


class TensorShape(NamedTuple):
    """The part of ``ShapeProp``'s ``TensorMetadata`` a reader of shapes needs."""

    shape: torch.Size
    dtype: torch.dtype


class _ShapeRecorder(torch.fx.Interpreter):
    """Runs the graph on the module and records, as ``ShapeProp`` does, ``meta["tensor_meta"]``
    on every node whose value holds a tensor (a ``TensorShape``, or the value's structure of them)."""

    def run_node(self, n: torch.fx.Node) -> Any:
        result = super().run_node(n)
        found = False

        def shape_of(value: Any) -> Any:
            nonlocal found
            if isinstance(value, torch.Tensor):
                found = True
                return TensorShape(value.shape, value.dtype)
            return value

        meta = map_aggregate(result, shape_of)
        if found:
            n.meta["tensor_meta"] = meta
        n.meta["type"] = type(result)
        return result


def record_shapes(model: nn.Module, graph: torch.fx.Graph, *args: Any) -> Any:
    """Run ``graph`` (traced from ``model``) on ``args`` without gradients, recording the shape
    of every tensor value on its node; returns the graph's output."""
    with torch.no_grad():
        return _ShapeRecorder(model, graph=graph).run(*args)
