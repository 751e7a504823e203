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
kernel, stride, padding, ``approximate``, ...) are equal and that carry no hooks. Conservative
where it cannot be sure: a value an in-place call (a name ending in ``_``, ``inplace=True``,
``out=``, a mutable aten schema, ``operator.i*``) writes, through views, is never merged, since the
mutation through one copy would reach the other, and nothing is merged across such a call;
functions are merged only from torch, ``operator`` and ``math``, and nothing random by name
(dropout, rrelu, gumbel, fractional pools, ``rand*``, ...). Missing a merge costs an over-count; a
wrong merge would cost a wrong result. The same pass on ONNX graphs,
which need no torch: ``codesign.workload.cse_onnx``.
"""
from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

import torch
import torch.fx
import torch.nn as nn
from torch.nn.modules import module as module_globals

#: Substrings of an operation's or module class's name that mark it random (or random in training).
_RANDOM = ("rand", "normal", "bernoulli", "multinomial", "dropout", "poisson", "uniform", "rrelu", "gumbel",
           "binomial", "fractional", "dirichlet", "gamma", "exponential", "geometric", "cauchy", "noise")
#: Plain values an argument or module attribute may hold for two nodes to be compared.
_PLAIN = (int, bool, str, type(None), torch.dtype, torch.device, torch.memory_format, torch.layout)
#: Modules whose functions may be merged (pure unless random or in place, checked apart).
_PURE_MODULES = ("torch", "operator", "_operator", "math")
#: Python's in-place operators.
_INPLACE_OPERATORS = frozenset({operator.iadd, operator.isub, operator.imul, operator.imatmul, operator.itruediv,
                                operator.ifloordiv, operator.imod, operator.ipow, operator.ilshift, operator.irshift,
                                operator.iand, operator.ior, operator.ixor, operator.iconcat, operator.setitem})


#: Where torch keeps a module's own hooks, and the hooks every module runs.
_OWN_HOOKS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
_GLOBAL_HOOKS = ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks")


class _Unkeyable(Exception):
    """An argument whose equality the pass cannot decide (a tensor constant, an object)."""


def _key(value: Any) -> Any:
    """A hashable stand-in for an argument: nodes by identity, plain values with their type (floats
    by their bits, so 0.0 and -0.0 differ)."""
    if isinstance(value, torch.fx.Node):
        return ("node", value)
    if isinstance(value, float):
        return ("float", float.hex(value))
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if isinstance(value, slice):
        return ("slice", _key(value.start), _key(value.stop), _key(value.step))
    raise _Unkeyable


def _hooked(module: nn.Module) -> bool:
    """Whether a call of ``module`` runs hooks (its own or the global ones), whose effect its
    attributes do not show."""
    return (any(getattr(module, name, None) for name in _OWN_HOOKS)
            or any(getattr(module_globals, name, None) for name in _GLOBAL_HOOKS))


def _module_identity(name: str, module: nn.Module) -> Any:
    """What makes two module calls equal: the module itself, or for a stateless leaf module its
    class and attributes; None for a module whose calls are not to be merged (hooks, random)."""
    if _hooked(module) or any(word in type(module).__name__.lower() for word in _RANDOM):
        return None
    stateless = (not any(True for _ in module.parameters()) and not any(True for _ in module.buffers())
                 and not any(True for _ in module.children()))
    if not stateless:
        return ("module", name)
    try:
        attrs = tuple(sorted((k, _key(v)) for k, v in vars(module).items() if not k.startswith("_") and k != "training"))
    except _Unkeyable:
        return ("module", name)
    return ("class", type(module), attrs)


def _name(node: torch.fx.Node) -> str:
    return node.target if isinstance(node.target, str) else getattr(node.target, "__name__", str(node.target))


def _mutates(node: torch.fx.Node, modules: Mapping[str, nn.Module]) -> bool:
    """Whether a node may change a value in place."""
    if node.op == "call_module":
        return bool(getattr(modules[str(node.target)], "inplace", False))
    if node.op not in ("call_function", "call_method"):
        return False
    if node.target in _INPLACE_OPERATORS:
        return True
    if node.kwargs.get("inplace") is True or "out" in node.kwargs:
        return True
    schema = getattr(node.target, "_schema", None)  # aten overloads: torch.ops.aten.add_.Tensor
    if schema is not None and getattr(schema, "is_mutable", False):
        return True
    name = _name(node).split(".")[0]
    # Tracing runs through ``F.relu(x, True)`` to the ``torch.relu_`` it calls: the name tells.
    return name.endswith("_") and not name.endswith("__")


def _mergeable_function(node: torch.fx.Node) -> bool:
    """A call_function from torch, ``operator`` or ``math`` that torch.fx does not list as
    side-effecting (user functions wrapped with ``torch.fx.wrap`` are not merged)."""
    if node.target in torch.fx.node._side_effectful_functions:
        return False
    if node.target is getattr:  # attribute reads (x.shape) are traced as getattr
        return True
    module = getattr(node.target, "__module__", None) or ""
    return module.split(".")[0] in _PURE_MODULES


def node_key(node: torch.fx.Node, modules: Mapping[str, nn.Module]) -> Any:
    """What a node computes, or None when it is not to be merged (see the module docstring)."""
    if node.op not in ("call_function", "call_method", "call_module"):
        return None
    if node.op == "call_function" and not _mergeable_function(node):
        return None
    if node.op != "call_module" and any(word in _name(node).lower() for word in _RANDOM):
        return None
    try:
        args = _key((node.args, node.kwargs))
    except _Unkeyable:
        return None
    if node.op == "call_module":
        identity = _module_identity(str(node.target), modules[str(node.target)])
        return None if identity is None else (identity, args)
    return (node.op, node.target, args)


#: Calls whose result shares its argument's storage (a view, a slice, an item of a split).
_VIEWS = frozenset({"getitem", "view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "transpose", "t",
                    "permute", "movedim", "swapaxes", "swapdims", "narrow", "select", "squeeze", "unsqueeze",
                    "expand", "expand_as", "as_strided", "chunk", "split", "tensor_split", "unbind", "detach",
                    "contiguous", "diagonal", "real", "imag", "getattr", "__getitem__"})


def _is_view(node: torch.fx.Node) -> bool:
    return node.op in ("call_function", "call_method") and _name(node) in _VIEWS


def _mutated(node: torch.fx.Node) -> list[torch.fx.Node]:
    """The values an in-place node writes: its first argument (``out=`` too), or for an aten
    overload with a mutable schema every argument."""
    written = [a for a in (node.args[:1] if node.args else ()) if isinstance(a, torch.fx.Node)]
    out = node.kwargs.get("out")
    written += [out] if isinstance(out, torch.fx.Node) else []
    if getattr(getattr(node.target, "_schema", None), "is_mutable", False):
        written = list(node.all_input_nodes)
    return [*written, node]  # an in-place call returns its argument


def _tainted(mutating: set[torch.fx.Node]) -> set[torch.fx.Node]:
    """Every node whose value the in-place calls ``mutating`` write: the written values, their bases
    (up through views) and every view of those bases."""
    bases: list[torch.fx.Node] = []
    for node in mutating:
        for value in _mutated(node):
            while _is_view(value) and value.args and isinstance(value.args[0], torch.fx.Node):
                value = value.args[0]
            bases.append(value)
    tainted: set[torch.fx.Node] = set()
    while bases:
        value = bases.pop()
        if value not in tainted:
            tainted.add(value)
            bases.extend(user for user in value.users if _is_view(user) or user in mutating)
    return tainted


def merge_common_fx_nodes(graph: torch.fx.Graph, modules: Mapping[str, nn.Module]) -> int:
    """Replace each node of ``graph`` that repeats an earlier one by that one (its users read the
    earlier result) and erase it; ``modules`` are the traced model's by name. A value an in-place
    call writes is never merged (a mutation through one copy would reach the other), and nothing
    is merged across an in-place call. Returns how many nodes were merged."""
    nodes = list(graph.nodes)
    mutating = {node for node in nodes if _mutates(node, modules)}
    tainted = _tainted(mutating)
    first: dict[Any, torch.fx.Node] = {}
    merged = 0
    for node in nodes:
        if node in mutating:
            first.clear()  # the same call before and after it may read different values
            continue
        key = None if node in tainted else node_key(node, modules)
        if key is None:
            continue
        if key in first:
            node.replace_all_uses_with(first[key])
            graph.erase_node(node)
            merged += 1
        else:
            first[key] = node
    return merged
