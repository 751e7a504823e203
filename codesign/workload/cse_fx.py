"""Common-subexpression elimination on the traced torch.fx graph, before layers are made: one
node for one computation, as deployment compilers run a network (TFLite's converter ends its pass
pipeline with MLIR's CSE pass, tensorflow/compiler/mlir/lite/tf_tfl_passes.cc; ``torch.onnx``'s
exporter runs TorchScript's).

A traced model can compute the same thing twice: NAS-Bench-201's ReLU-conv-BN edges each start
with a ReLU module of their own, so a cell node read by three convolutions is rectified three times
in PyTorch and once on an NPU. Two nodes are the same computation only when everything that
decides their result is equal, which the graph holds and a layer does not: the same function or
method with equal arguments (the same nodes, equal constants); for modules, the same module, or
two modules of one class without parameters, buffers or children whose attributes (slopes,
kernel, stride, padding, ``approximate``, ...) are equal. Not merged: in-place or random
operations, impure nodes (torch.fx's side-effecting functions), and nothing across a node that
mutates a value (the values read before and after it may differ). The same pass on ONNX graphs,
which need no torch: ``codesign.workload.cse_onnx``.
"""
from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

import torch
import torch.fx
import torch.nn as nn

#: Substrings of an operation's name that mark it random (or dropout, random in training).
_RANDOM = ("rand", "normal", "bernoulli", "multinomial", "dropout", "poisson", "uniform")
#: Plain values an argument or module attribute may hold for two nodes to be compared.
_PLAIN = (int, float, bool, str, type(None), torch.dtype, torch.device, torch.memory_format, torch.layout)


class _Unkeyable(Exception):
    """An argument whose equality the pass cannot decide (a tensor constant, an object)."""


def _key(value: Any) -> Any:
    """A hashable stand-in for an argument: nodes by identity, plain values with their type."""
    if isinstance(value, torch.fx.Node):
        return ("node", value)
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if isinstance(value, slice):
        return ("slice", _key(value.start), _key(value.stop), _key(value.step))
    raise _Unkeyable


def _module_identity(name: str, module: nn.Module) -> Any:
    """What makes two module calls equal: the module itself, or for a stateless leaf module its
    class and attributes."""
    stateless = (not any(True for _ in module.parameters()) and not any(True for _ in module.buffers())
                 and not any(True for _ in module.children()))
    if not stateless:
        return ("module", name)
    try:
        attrs = tuple(sorted((k, _key(v)) for k, v in vars(module).items() if not k.startswith("_") and k != "training"))
    except _Unkeyable:
        return ("module", name)
    return ("class", type(module), attrs)


def _name(node: torch.fx.Node, modules: Mapping[str, nn.Module]) -> str:
    if node.op == "call_module":
        return type(modules[str(node.target)]).__name__
    return node.target if isinstance(node.target, str) else getattr(node.target, "__name__", str(node.target))


def _mutates(node: torch.fx.Node, modules: Mapping[str, nn.Module]) -> bool:
    """Whether a node changes a value in place (``x.add_``, ``F.relu(x, inplace=True)``, an
    ``inplace`` module, item assignment)."""
    name = _name(node, modules)
    if node.target in (operator.setitem, operator.iadd, operator.isub, operator.imul, operator.itruediv):
        return True
    if node.kwargs.get("inplace") is True or (node.op == "call_module" and getattr(modules[str(node.target)], "inplace", False)):
        return True
    return node.op != "call_module" and name.endswith("_") and not name.endswith("__")


def _impure(node: torch.fx.Node, modules: Mapping[str, nn.Module]) -> bool:
    """torch.fx's own test (``Node.is_impure``, which needs a graph owned by a module): a function
    it lists as side-effecting, or a module marked impure."""
    if node.op == "call_function":
        return node.target in torch.fx.node._side_effectful_functions
    return node.op == "call_module" and getattr(modules[str(node.target)], "_is_impure", False)


def node_key(node: torch.fx.Node, modules: Mapping[str, nn.Module]) -> Any:
    """What a node computes, or None when it is not to be merged (see the module docstring)."""
    if node.op not in ("call_function", "call_method", "call_module") or _impure(node, modules):
        return None
    if any(word in _name(node, modules).lower() for word in _RANDOM):
        return None
    try:
        args = _key((node.args, node.kwargs))
    except _Unkeyable:
        return None
    if node.op == "call_module":
        return (_module_identity(str(node.target), modules[str(node.target)]), args)
    return (node.op, node.target, args)


def merge_common_fx_nodes(graph: torch.fx.Graph, modules: Mapping[str, nn.Module]) -> int:
    """Replace each node of ``graph`` that repeats an earlier one by that one (its users read the
    earlier result) and erase it; ``modules`` are the traced model's by name. Returns how many
    nodes were merged."""
    first: dict[Any, torch.fx.Node] = {}
    merged = 0
    for node in list(graph.nodes):
        if node.op in ("call_function", "call_method", "call_module") and _mutates(node, modules):
            first.clear()  # what was computed before may not be what the same call gives after
            continue
        key = node_key(node, modules)
        if key is None:
            continue
        if key in first:
            node.replace_all_uses_with(first[key])
            graph.erase_node(node)
            merged += 1
        else:
            first[key] = node
    return merged
