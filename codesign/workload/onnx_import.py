"""Workloads from ONNX files: convolutions, GEMMs and matmuls as loop nests, pooling, residual
adds and activations as vector layers (the same kinds ``extract_workload`` emits).

Only the graph structure and tensor shapes are read (``onnx.shape_inference``); weights may be
absent (external data is not loaded). Nodes of other kinds (reshapes, dropout, LRN, constants)
carry no arithmetic the cost models count and are skipped; ``Workload.meta["skipped"]`` lists them.

Tensors are the graph's value names. A skipped node passes on the tensors of its non-initializer
inputs (a reshape or concat holds what it reads); ``Shape``, ``Constant`` and the like hold none.
Initializers a layer reads are its weights; graph inputs and outputs are the network's.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from codesign.errors import ConfigError
from codesign.workload.cse_onnx import merge_common_onnx_nodes
from codesign.workload.fuse import fuse_layers
from codesign.workload.graph import GraphBuilder
from codesign.workload.graph_io import output_shape
from codesign.workload.layer import Layer
from codesign.workload.ops import ACT_OPS, SOFTMAX_OPS, nkpq
from codesign.workload.workload import Workload

#: ONNX activation operators -> the activation names of ``ACT_OPS``.
_ACTS = {"Relu": "relu", "Clip": "relu6", "Sigmoid": "sigmoid", "Tanh": "tanh", "LeakyRelu": "leaky_relu",
         "HardSigmoid": "hardsigmoid", "HardSwish": "hardswish", "Elu": "elu", "Softplus": "softplus",
         "Gelu": "gelu", "Mish": "mish"}
_ELTWISE = ("Add", "Mul", "Sub", "Div")
#: Skipped operators whose output carries no activation data (sizes, constants, random numbers).
_NO_DATA = ("Shape", "Size", "Constant", "ConstantOfShape", "RandomNormal", "RandomUniform", "EyeLike", "Range")


def workload_from_onnx(path: str | Path, name: str | None = None, fuse: bool = True) -> Workload:
    """Read an ONNX model's operators as layers (batch and input shape from the graph input);
    ``fuse`` runs the same passes as tracing (``extract_workload``)."""
    import onnx
    from onnx import shape_inference

    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), "ONNX file not found")
    try:
        model = onnx.load(str(path), load_external_data=False)
        model = shape_inference.infer_shapes(model)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad input file
        raise ConfigError(str(path), f"cannot read ONNX model ({type(exc).__name__}: {exc})") from None
    graph = model.graph
    shapes: dict[str, tuple[int, ...]] = {}
    for value in list(graph.input) + list(graph.value_info) + list(graph.output):
        dims = tuple(int(d.dim_value) for d in value.type.tensor_type.shape.dim)
        if dims and all(d > 0 for d in dims):
            shapes[value.name] = dims
    for tensor in graph.initializer:
        shapes[tensor.name] = tuple(int(d) for d in tensor.dims)
    initializers = {t.name for t in graph.initializer}
    layers: list[Layer] = []
    skipped: dict[str, int] = {}
    names: set[str] = set()
    tensors = GraphBuilder()
    alias: dict[str, tuple[str, ...]] = {}
    for value in graph.input:
        if value.name not in initializers and value.name in shapes:
            alias[value.name] = (tensors.tensor(value.name, shapes[value.name], is_input=True),)
    nodes, renamed = merge_common_onnx_nodes(graph.node) if fuse else (list(graph.node), {})
    for i, node in enumerate(nodes):
        layer_name = node.name or f"{node.op_type.lower()}_{i}"
        if layer_name in names:
            layer_name = f"{layer_name}_{i}"
        made = _node_layer(node, layer_name, shapes, initializers)
        if made is None:
            skipped[node.op_type] = skipped.get(node.op_type, 0) + 1
            held = () if node.op_type in _NO_DATA else tuple(dict.fromkeys(
                t for x in node.input if x and x not in initializers for t in alias.get(x, ())))
            alias.update(dict.fromkeys((x for x in node.output if x), held))
            continue
        names.add(layer_name)
        layers.append(made)
        reads = [t for x in node.input if x and x not in initializers for t in alias.get(x, ())]
        reads += [tensors.tensor(x, shapes[x], is_weight=True) for x in node.input if x in initializers]
        out = node.output[0]
        tensors.tensor(out, shapes.get(out, output_shape(made)))
        tensors.layer(reads, [out])
        alias[out] = (out,)
    if not layers:
        raise ConfigError(str(path), "no convolution, GEMM or matmul with known shapes in the graph")
    tensors.mark_outputs(t for value in graph.output for t in alias.get(renamed.get(value.name, value.name), ()))
    if fuse:
        layers = fuse_layers(layers, tensors)
    first_input = next((shapes[v.name] for v in graph.input if v.name in shapes and v.name not in initializers), ())
    return Workload(name=name or path.stem, layers=tuple(layers), input_shape=tuple(first_input),
                    meta={"extraction": "onnx", "skipped": skipped}, graph=tensors.build())


def _attrs(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _node_layer(node: Any, name: str, shapes: dict[str, tuple[int, ...]], initializers: set[str]) -> Layer | None:
    op = node.op_type
    out = shapes.get(node.output[0]) if node.output else None
    inp = shapes.get(node.input[0]) if node.input else None
    if out is None or inp is None:
        return None
    if op == "Conv":
        weight = shapes.get(node.input[1])
        if weight is None or len(inp) != 4:
            return None
        a = _attrs(node)
        sh, sw = a.get("strides", [1, 1])
        dh, dw = a.get("dilations", [1, 1])
        return Layer(name=name, op="conv", N=out[0], K=out[1], C=inp[1], P=out[2], Q=out[3], R=weight[2],
                     S=weight[3], H=inp[2], W=inp[3], stride_h=sh, stride_w=sw, dilation_h=dh, dilation_w=dw,
                     groups=int(a.get("group", 1)))
    if op in ("Gemm", "MatMul"):
        other = shapes.get(node.input[1])
        if other is None:
            return None
        a = _attrs(node)
        k_dim = other[0] if op == "Gemm" and a.get("transB", 0) else other[-1]
        c_dim = inp[-1] if not (op == "Gemm" and a.get("transA", 0)) else inp[0]
        # Gemm's A is (M, K), or (K, M) when transposed: M rows either way.
        rows = inp[1] if op == "Gemm" and a.get("transA", 0) else (math.prod(inp[:-1]) if len(inp) > 1 else 1)
        if op == "MatMul" and node.input[1] not in initializers:
            batch = math.prod(out[:-2]) if len(out) > 2 else 1
            return Layer(name=name, op="matmul", N=batch, P=out[-2], C=c_dim, K=k_dim)
        return Layer(name=name, op="linear", N=1, P=rows, C=c_dim, K=k_dim)
    if op in ("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool") and len(inp) == 4:
        if op.startswith("Global"):
            kernel = (inp[2], inp[3])
        else:
            kernel = tuple(_attrs(node).get("kernel_shape", [1, 1]))
        return Layer(name=name, op="pool", N=out[0], K=out[1], C=out[1], P=out[2], Q=out[3], R=kernel[0],
                     S=kernel[1], H=inp[2], W=inp[3], groups=out[1], ops_per_output=float(kernel[0] * kernel[1]))
    dims = _dims(out)
    if op in _ACTS:
        act = _ACTS[op]
        return Layer(name=name, op="act", C=dims["K"], ops_per_output=float(ACT_OPS[act]), extra={"kind": act}, **dims)
    if op in _ELTWISE:
        tensors = sum(1 for x in node.input if x in shapes and x not in initializers and len(shapes[x]) > 0)
        if tensors < 2:
            return None
        return Layer(name=name, op="eltwise", C=dims["K"], operands=tensors, ops_per_output=1.0,
                     extra={"kind": op.lower()}, **dims)
    if op == "Softmax":
        return Layer(name=name, op="softmax", C=dims["K"], ops_per_output=SOFTMAX_OPS, extra={"kind": "softmax"},
                     **dims)
    return None


def _dims(shape: tuple[int, ...]) -> dict[str, int]:
    """N, K, P, Q of a vector operator's output (all four set: a layer needs K for its C)."""
    dims = nkpq(shape) if 2 <= len(shape) <= 4 else {"N": 1, "K": max(1, math.prod(shape))}
    return {"N": 1, "K": 1, "P": 1, "Q": 1, **dims}
