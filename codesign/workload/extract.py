"""Workload extraction: a ``torch.nn.Module`` at one input shape → loop-nest layers.

The model is traced with ``torch.fx`` and the shapes of its values recorded by running the graph
(``codesign.workload.tracer``). Models that
cannot be traced fall back to forward hooks on leaf modules, which still capture convolutions,
linear layers, pooling, normalisation and activation modules (but not functional ops such as
residual adds or attention matmuls); ``Workload.meta["extraction"]`` says which path ran.

Inference-time fusion (``fuse=True``, the default): a BatchNorm that directly follows a conv is
folded into its weights (no cost), and an activation that directly follows a MAC layer (or its
folded BatchNorm) runs in the MAC layer's output path (``Layer.post_ops``), as NPUs do.
"""
from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence
from typing import Any

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

from codesign.workload.cse_fx import merge_common_fx_nodes
from codesign.workload.fuse import fuse_layers
from codesign.workload.graph import GraphBuilder
from codesign.workload.layer import Layer
from codesign.workload.ops import ACT_OPS, NORM_OPS, SOFTMAX_OPS, nkpq
from codesign.workload.tracer import record_shapes, trace
from codesign.workload.workload import Workload

__all__ = ["ACT_OPS", "NORM_OPS", "SOFTMAX_OPS", "extract_workload", "fuse_layers"]

_ACT_MODULES: dict[type, str] = {
    nn.ReLU: "relu", nn.ReLU6: "relu6", nn.LeakyReLU: "leaky_relu", nn.Hardtanh: "hardtanh",
    nn.Hardsigmoid: "hardsigmoid", nn.Hardswish: "hardswish", nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh", nn.SiLU: "silu", nn.GELU: "gelu", nn.Mish: "mish", nn.ELU: "elu",
    nn.Softplus: "softplus",
}
_ACT_FUNCTIONS: dict[Any, str] = {
    F.relu: "relu", F.relu6: "relu6", F.leaky_relu: "leaky_relu", F.hardtanh: "hardtanh",
    F.hardsigmoid: "hardsigmoid", F.hardswish: "hardswish", torch.sigmoid: "sigmoid",
    F.sigmoid: "sigmoid", torch.tanh: "tanh", F.tanh: "tanh", F.silu: "silu", F.gelu: "gelu",
    F.mish: "mish", F.elu: "elu", F.softplus: "softplus", torch.relu: "relu",
}
_ACT_METHODS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "relu_": "relu",
                "sigmoid_": "sigmoid", "tanh_": "tanh"}
_ELTWISE_FUNCTIONS = {operator.add, operator.mul, operator.sub, operator.truediv, torch.add,
                      torch.mul, torch.sub, torch.div, operator.iadd, operator.imul}
_ELTWISE_METHODS = {"add", "mul", "sub", "div", "add_", "mul_", "sub_", "div_"}
_NORM_MODULES: dict[type, str] = {
    nn.BatchNorm1d: "batch_norm", nn.BatchNorm2d: "batch_norm", nn.LayerNorm: "layer_norm",
    nn.GroupNorm: "group_norm", nn.InstanceNorm2d: "instance_norm",
}
_NORM_FUNCTIONS = {F.batch_norm: "batch_norm", F.layer_norm: "layer_norm",
                   F.group_norm: "group_norm", F.instance_norm: "instance_norm"}


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    value = tuple(value)
    return (value[0], value[0]) if len(value) == 1 else (int(value[0]), int(value[1]))


def _shape(node: Any) -> tuple[int, ...] | None:
    meta = getattr(node, "meta", {}).get("tensor_meta") if isinstance(node, torch.fx.Node) else None
    if meta is None or not hasattr(meta, "shape"):
        return None
    return tuple(int(d) for d in meta.shape)


def _conv_layer(name: str, in_shape: tuple[int, ...], out_shape: tuple[int, ...],
                weight_shape: tuple[int, ...], stride: Any, dilation: Any, groups: int) -> Layer:
    if len(in_shape) == 3:  # conv1d: length on P
        in_shape = (in_shape[0], in_shape[1], in_shape[2], 1)
        out_shape = (out_shape[0], out_shape[1], out_shape[2], 1)
        weight_shape = (*weight_shape, 1)
        stride, dilation = (_pair(stride)[0], 1), (_pair(dilation)[0], 1)
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    return Layer(
        name=name, op="conv", N=out_shape[0], K=out_shape[1], C=in_shape[1], P=out_shape[2],
        Q=out_shape[3], R=weight_shape[2], S=weight_shape[3], H=in_shape[2], W=in_shape[3],
        stride_h=sh, stride_w=sw, dilation_h=dh, dilation_w=dw, groups=int(groups),
    )


def _linear_layer(name: str, in_shape: tuple[int, ...], out_features: int) -> Layer:
    batch = in_shape[0] if len(in_shape) >= 2 else 1
    rows = math.prod(in_shape[1:-1]) if len(in_shape) >= 3 else 1
    return Layer(name=name, op="linear", N=batch, K=out_features, C=in_shape[-1], P=rows, Q=1)


def _matmul_layer(name: str, a: tuple[int, ...], b: tuple[int, ...]) -> Layer:
    if len(a) == 1:
        a = (1, a[0])
    if len(b) == 1:
        b = (b[0], 1)
    batch = math.prod(torch.broadcast_shapes(a[:-2], b[:-2])) if (len(a) > 2 or len(b) > 2) else 1
    return Layer(name=name, op="matmul", N=int(batch), P=a[-2], C=a[-1], K=b[-1])


def _vector_layer(name: str, op: str, shape: tuple[int, ...], ops: float, operands: int = 1,
                  kernel: tuple[int, int] = (1, 1), in_shape: tuple[int, ...] | None = None,
                  label: str = "") -> Layer:
    dims = nkpq(shape)
    extra = {"kind": label} if label else {}
    layer_kwargs: dict[str, Any] = dict(dims)
    if op == "pool":
        channels = dims.get("K", 1)
        layer_kwargs.update(C=channels, groups=channels, R=kernel[0], S=kernel[1])
        if in_shape is not None and len(in_shape) == 4:
            layer_kwargs.update(H=in_shape[2], W=in_shape[3])
    else:
        layer_kwargs["C"] = dims.get("K", 1)
    return Layer(name=name, op=op, operands=operands, ops_per_output=float(ops), extra=extra, **layer_kwargs)


def _times_zero(node: torch.fx.Node) -> bool:
    """A multiplication by the constant 0 (NAS cells' ``none`` edge): a compiler folds it to
    zeros, so it costs no work."""
    name = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", "")
    return name in ("mul", "mul_", "imul") and any(
        isinstance(a, (int, float)) and not isinstance(a, bool) and a == 0 for a in node.args)


class _FxExtractor:
    """Walk a shape-propagated fx graph and emit layers and the tensors they read and write.

    Each node's value is tracked as the tensors it holds (``alias``): a layer's output is a tensor
    named after its node; a placeholder is a network input, a ``get_attr`` a weight; any other node
    (view, reshape, flatten, permute, getitem, cat, dropout, ...) holds the union of its tensor
    arguments, so a layer that reads it reads those tensors. Non-tensor values (sizes) and a
    multiplication by 0 hold none."""

    def __init__(self, model: nn.Module, fx_graph: torch.fx.Graph) -> None:
        self.fx_graph = fx_graph
        self.modules = dict(model.named_modules())
        self.layers: list[Layer] = []
        self.skipped: dict[str, int] = {}
        self.graph = GraphBuilder()
        self.alias: dict[torch.fx.Node, tuple[str, ...]] = {}

    def run(self) -> list[Layer]:
        graph = self.graph
        for node in self.fx_graph.nodes:
            if node.op in ("placeholder", "get_attr"):
                shape = _shape(node)
                if shape is not None:
                    tid = node.name if node.op == "placeholder" else str(node.target)
                    self.alias[node] = (graph.tensor(tid, shape, is_input=node.op == "placeholder",
                                                     is_weight=node.op == "get_attr"),)
                continue
            if node.op == "output":
                graph.mark_outputs(self._reads(node))
                continue
            layer_list = self._node_layers(node)
            if layer_list is None:
                self._skip(node)
            if not layer_list:  # no arithmetic: the value holds what its arguments hold
                holds_data = "tensor_meta" in node.meta and not _times_zero(node)
                self.alias[node] = self._reads(node) if holds_data else ()
                continue
            self._record(node, layer_list)
            self.layers.extend(layer_list)
        return self.layers

    def _reads(self, node: torch.fx.Node) -> tuple[str, ...]:
        """The tensors a node's arguments hold, in argument order."""
        ids: list[str] = []
        torch.fx.node.map_arg((node.args, node.kwargs), lambda n: ids.extend(self.alias.get(n, ())))
        return tuple(dict.fromkeys(ids))

    def _record(self, node: torch.fx.Node, layer_list: list[Layer]) -> None:
        """Reads and writes of the layers made from one node."""
        graph = self.graph
        shape = _shape(node)
        if len(layer_list) == 1:
            reads = list(self._reads(node))
            if node.op == "call_module" and layer_list[0].static_weights:
                weight = self.modules[node.target].weight
                reads.append(graph.tensor(f"{node.target}.weight", tuple(weight.shape), is_weight=True))
            graph.tensor(node.name, shape if shape is not None else (layer_list[0].output_elems,))
            graph.layer(reads, [node.name])
            self.alias[node] = (node.name,)
            return
        # scaled_dot_product_attention: q @ k^T, softmax, @ v.
        q, k, v = (self.alias.get(a, ()) if isinstance(a, torch.fx.Node) else () for a in node.args[:3])
        scores, probs = f"{node.name}.qk", f"{node.name}.softmax"
        score_shape = (*(_shape(node.args[0]) or ())[:-1], (_shape(node.args[1]) or (1, 1))[-2])
        graph.tensor(scores, score_shape)
        graph.tensor(probs, score_shape)
        graph.tensor(node.name, shape if shape is not None else (layer_list[2].output_elems,))
        graph.layer([*q, *k], [scores])
        graph.layer([scores], [probs])
        graph.layer([probs, *v], [node.name])
        self.alias[node] = (node.name,)

    def _skip(self, node: torch.fx.Node) -> None:
        target = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", str(node.target))
        if node.op == "call_module":
            target = type(self.modules[node.target]).__name__
        self.skipped[str(target)] = self.skipped.get(str(target), 0) + 1

    def _node_layers(self, node: torch.fx.Node) -> list[Layer] | None:
        out = _shape(node)
        if node.op == "call_module":
            return self._module_layers(node, self.modules[node.target], out)
        if node.op == "call_function":
            return self._function_layers(node, node.target, out)
        if node.op == "call_method":
            return self._method_layers(node, node.target, out)
        return None

    def _arg_shape(self, node: torch.fx.Node, index: int, key: str | None = None) -> tuple[int, ...] | None:
        arg = node.args[index] if len(node.args) > index else node.kwargs.get(key) if key else None
        return _shape(arg)

    def _module_layers(self, node: torch.fx.Node, module: nn.Module, out: tuple[int, ...] | None) -> list[Layer] | None:
        name = str(node.target)
        inp = self._arg_shape(node, 0)
        if out is None:
            return None
        if isinstance(module, (nn.Conv1d, nn.Conv2d)) and inp is not None:
            return [_conv_layer(name, inp, out, tuple(module.weight.shape), module.stride,
                                module.dilation, module.groups)]
        if isinstance(module, nn.Linear) and inp is not None:
            return [_linear_layer(name, inp, module.out_features)]
        if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            k = _pair(module.kernel_size)
            return [_vector_layer(name, "pool", out, k[0] * k[1], kernel=k, in_shape=inp)]
        if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)) and inp is not None:
            k = (max(1, inp[2] // out[2]), max(1, inp[3] // out[3]))
            return [_vector_layer(name, "pool", out, k[0] * k[1], kernel=k, in_shape=inp)]
        for cls, act in _ACT_MODULES.items():
            if isinstance(module, cls):
                return [_vector_layer(name, "act", out, ACT_OPS[act], label=act)]
        for cls, norm in _NORM_MODULES.items():
            if isinstance(module, cls):
                return [_vector_layer(name, "norm", out, NORM_OPS[norm], label=norm)]
        if isinstance(module, nn.Softmax):
            return [_vector_layer(name, "softmax", out, SOFTMAX_OPS, label="softmax")]
        return None

    def _function_layers(self, node: torch.fx.Node, fn: Any, out: tuple[int, ...] | None) -> list[Layer] | None:
        name = node.name
        if fn in (F.conv1d, F.conv2d, torch.conv2d, torch.conv1d):
            inp, weight = self._arg_shape(node, 0, "input"), self._arg_shape(node, 1, "weight")
            if inp is None or weight is None or out is None:
                return None
            get = lambda i, k, d: node.args[i] if len(node.args) > i else node.kwargs.get(k, d)  # noqa: E731
            return [_conv_layer(name, inp, out, weight, get(3, "stride", 1), get(5, "dilation", 1),
                                int(get(6, "groups", 1)))]
        if fn in (F.linear, torch._C._nn.linear):
            inp, weight = self._arg_shape(node, 0, "input"), self._arg_shape(node, 1, "weight")
            if inp is None or weight is None:
                return None
            return [_linear_layer(name, inp, weight[0])]
        if fn in (torch.matmul, operator.matmul, torch.bmm, torch.mm):
            a, b = self._arg_shape(node, 0), self._arg_shape(node, 1)
            if a is None or b is None:
                return None
            if isinstance(node.args[1], torch.fx.Node) and node.args[1].op == "get_attr" and len(b) == 2:
                return [_linear_layer(name, a, b[1])]
            return [_matmul_layer(name, a, b)]
        if fn is F.scaled_dot_product_attention:
            q, k, v = (self._arg_shape(node, i) for i in range(3))
            if q is None or k is None or v is None:
                return None
            batch = math.prod(q[:-2])
            scores = (*q[:-1], k[-2])
            return [
                Layer(name=f"{name}.qk", op="matmul", N=batch, P=q[-2], C=q[-1], K=k[-2]),
                _vector_layer(f"{name}.softmax", "softmax", (batch, 1, scores[-2], scores[-1]), SOFTMAX_OPS + 1,
                              label="softmax"),
                Layer(name=f"{name}.av", op="matmul", N=batch, P=q[-2], C=k[-2], K=v[-1]),
            ]
        if out is None:
            return None
        if fn in _ACT_FUNCTIONS:
            act = _ACT_FUNCTIONS[fn]
            return [_vector_layer(name, "act", out, ACT_OPS[act], label=act)]
        if fn in _NORM_FUNCTIONS:
            norm = _NORM_FUNCTIONS[fn]
            return [_vector_layer(name, "norm", out, NORM_OPS[norm], label=norm)]
        if fn in (F.softmax, torch.softmax):
            return [_vector_layer(name, "softmax", out, SOFTMAX_OPS, label="softmax")]
        if fn in _ELTWISE_FUNCTIONS:
            if _times_zero(node):
                return []
            tensors = sum(1 for a in node.args if isinstance(a, torch.fx.Node) and _shape(a) is not None
                          and len(_shape(a) or ()) > 0)
            if tensors == 0:
                return None  # arithmetic on sizes, not tensors
            return [_vector_layer(name, "eltwise", out, 1, operands=tensors, label=getattr(fn, "__name__", "eltwise"))]
        if fn in (F.max_pool2d, F.avg_pool2d):
            k = _pair(node.args[1] if len(node.args) > 1 else node.kwargs["kernel_size"])
            return [_vector_layer(name, "pool", out, k[0] * k[1], kernel=k, in_shape=self._arg_shape(node, 0))]
        if fn in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d, torch.mean):
            return self._reduce_layers(node, out)
        if fn is torch.sum:
            return self._sum_layers(node, out)
        return None

    def _sum_layers(self, node: torch.fx.Node, out: tuple[int, ...]) -> list[Layer] | None:
        """``torch.sum(torch.stack(xs), 0)`` (how NAS cells add their inputs) is an add of
        ``len(xs)`` operands; any other sum is a reduction."""
        inp = self._arg_shape(node, 0)
        if inp is None:
            return None
        if len(inp) == len(out) + 1 and inp[1:] == out:
            if inp[0] == 1:
                return []  # a sum of one tensor is that tensor
            return [_vector_layer(node.name, "eltwise", out, inp[0] - 1, operands=inp[0], label="sum")]
        return self._reduce_layers(node, out)

    def _reduce_layers(self, node: torch.fx.Node, out: tuple[int, ...]) -> list[Layer] | None:
        inp = self._arg_shape(node, 0)
        if inp is None:
            return None
        reduced = max(1, math.prod(inp) // max(1, math.prod(out)))
        if len(inp) == 4:
            out4 = (inp[0], inp[1], out[2] if len(out) == 4 else 1, out[3] if len(out) == 4 else 1)
            k = (max(1, inp[2] // out4[2]), max(1, inp[3] // out4[3]))
            return [_vector_layer(node.name, "pool", out4, reduced, kernel=k, in_shape=inp)]
        return [_vector_layer(node.name, "pool", out, reduced, label="reduce")]

    def _method_layers(self, node: torch.fx.Node, method: str, out: tuple[int, ...] | None) -> list[Layer] | None:
        if out is None:
            return None
        if method in _ACT_METHODS:
            act = _ACT_METHODS[method]
            return [_vector_layer(node.name, "act", out, ACT_OPS[act], label=act)]
        if method in _ELTWISE_METHODS:
            if _times_zero(node):
                return []
            tensors = sum(1 for a in node.args if isinstance(a, torch.fx.Node) and len(_shape(a) or ()) > 0)
            if tensors == 0:
                return None
            return [_vector_layer(node.name, "eltwise", out, 1, operands=tensors, label=method)]
        if method == "softmax":
            return [_vector_layer(node.name, "softmax", out, SOFTMAX_OPS, label="softmax")]
        if method == "mean":
            return self._reduce_layers(node, out)
        if method == "sum":
            return self._sum_layers(node, out)
        if method in ("matmul", "bmm"):
            a, b = self._arg_shape(node, 0), self._arg_shape(node, 1)
            if a is None or b is None:
                return None
            return [_matmul_layer(node.name, a, b)]
        return None


def _hook_layers(model: nn.Module, example: torch.Tensor) -> tuple[list[Layer], dict[str, int]]:
    """Fallback: one layer per leaf module call, from forward hooks."""
    layers: list[Layer] = []
    handles = []
    counts: dict[str, int] = {}

    def hook(module: nn.Module, args: tuple[Any, ...], output: Any, name: str) -> None:
        if not args or not isinstance(args[0], torch.Tensor) or not isinstance(output, torch.Tensor):
            return
        counts[name] = counts.get(name, 0) + 1
        call = f"{name}" if counts[name] == 1 else f"{name}#{counts[name]}"
        inp, out = tuple(args[0].shape), tuple(output.shape)
        if isinstance(module, (nn.Conv1d, nn.Conv2d)):
            layers.append(_conv_layer(call, inp, out, tuple(module.weight.shape), module.stride,
                                      module.dilation, module.groups))
        elif isinstance(module, nn.Linear):
            layers.append(_linear_layer(call, inp, module.out_features))
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            k = _pair(module.kernel_size)
            layers.append(_vector_layer(call, "pool", out, k[0] * k[1], kernel=k, in_shape=inp))
        elif isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)) and len(inp) == 4:
            k = (max(1, inp[2] // out[2]), max(1, inp[3] // out[3]))
            layers.append(_vector_layer(call, "pool", out, k[0] * k[1], kernel=k, in_shape=inp))
        else:
            for cls, act in _ACT_MODULES.items():
                if isinstance(module, cls):
                    layers.append(_vector_layer(call, "act", out, ACT_OPS[act], label=act))
                    return
            for cls, norm in _NORM_MODULES.items():
                if isinstance(module, cls):
                    layers.append(_vector_layer(call, "norm", out, NORM_OPS[norm], label=norm))
                    return

    for name, module in model.named_modules():
        if len(list(module.children())) == 0:
            label = name or type(module).__name__
            handles.append(module.register_forward_hook(lambda m, a, o, n=label: hook(m, a, o, n)))
    try:
        with torch.no_grad():
            model(example)
    finally:
        for handle in handles:
            handle.remove()
    return layers, {}


#: Longest trace-failure reason kept in a warning or a workload's metadata.
MAX_REASON_CHARS = 200


def _first_line(text: str) -> str:
    """The first non-empty line of ``text``, cut to ``MAX_REASON_CHARS``."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= MAX_REASON_CHARS else line[:MAX_REASON_CHARS - 3] + "..."


def extract_workload(model: nn.Module, input_shape: Sequence[int], batch: int = 1, name: str = "model",
                     fuse: bool = True) -> Workload:
    """Trace ``model`` at ``(batch, *input_shape)`` and return its layers.

    ``input_shape`` excludes the batch (``(3, 224, 224)``). The model is put in eval mode.
    ``fuse``: run the graph passes a deployment compiler runs: one node per computation
    (``codesign.workload.cse_fx``; ``meta["merged"]`` counts the merged nodes), then BatchNorm folding
    and activation fusion (``codesign.workload.fuse``); ``False`` keeps every traced operation.
    """
    model.eval()
    example = torch.zeros(batch, *input_shape)
    meta: dict[str, Any] = {"batch": batch}
    graph: GraphBuilder | None = None  # no edges from hooks: the layers then form a chain
    # Only tracing may fail over to hooks: an error in the extraction itself is a bug to surface.
    try:
        fx_graph = trace(model)
        if fuse:
            meta["merged"] = merge_common_fx_nodes(fx_graph, dict(model.named_modules()))
        record_shapes(model, fx_graph, example)
    except Exception as exc:  # noqa: BLE001 - any tracing failure falls back to hooks
        # torch.fx's messages run to screens (a traceback of the user's forward): one line here.
        reason = f"{type(exc).__name__}: {_first_line(str(exc))}"
        warnings.warn(f"torch.fx could not trace {name} ({reason}); "
                      "falling back to module hooks (functional ops are not captured)", stacklevel=2)
        layers, _ = _hook_layers(model, example)
        meta.update(extraction="hooks", trace_error=reason)
    else:
        extractor = _FxExtractor(model, fx_graph)
        layers = extractor.run()
        graph = extractor.graph
        meta.update(extraction="fx", skipped=extractor.skipped)
    if fuse:
        layers = fuse_layers(layers, graph)
    return Workload(name=name, layers=tuple(layers), input_shape=(batch, *input_shape), meta=meta,
                    graph=graph.build() if graph is not None else None)
