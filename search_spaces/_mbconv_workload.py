"""The workload of a timm ``EfficientNet`` built by the mbconv space, without tracing it.

The space knows its network as data (stem, blocks of known types, head), so its layers can be
written down directly: this walks the built model's modules in the order timm's ``forward`` runs
them and emits, for each, what the fx extraction (``codesign.workload.extract``) emits for the
nodes that module traces to: the same layers (by the same constructors), the same tensors
declared in the same order, the same reads and writes, then the same fusion. Channel counts,
kernels, strides and padding are read from the modules; only the spatial sizes are computed (the
convolution output formula). ``tests/spaces/test_mbconv_workload.py`` asserts, on many random
architectures, that every layer field and the tensor graph equal the traced workload's, so the
two cannot drift; a model this walk does not know (another block type, a timm that changed its
forward) raises ``UnknownModel``, and the space then traces it.

Tracing costs ~0.17 CPU s per quickstart architecture (symbolic tracing is Python per node);
this walk a few milliseconds (docs/measurements-search.md).
"""
from __future__ import annotations

from collections.abc import Sequence

import torch.nn as nn

from codesign.workload.extract import _ACT_MODULES, _conv_layer, _linear_layer, _vector_layer
from codesign.workload.fuse import fuse_layers
from codesign.workload.graph import GraphBuilder
from codesign.workload.layer import Layer
from codesign.workload.ops import ACT_OPS, NORM_OPS
from codesign.workload.workload import Workload

Shape = tuple[int, ...]


class UnknownModel(Exception):
    """The model holds something this walk does not emit (the caller traces it instead)."""


def _conv_out(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Output extent of a convolution (PyTorch's ``Conv2d`` formula)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _node_name(target: str) -> str:
    """fx's name for the node of a ``call_module`` on ``target``."""
    return target.replace(".", "_")


class _Walker:
    """Emits layers and graph edges as ``_FxExtractor`` does for the traced nodes."""

    def __init__(self) -> None:
        self.graph = GraphBuilder()
        self.layers: list[Layer] = []
        self.counts: dict[str, int] = {}
        self.shapes: dict[str, Shape] = {}

    def _function_name(self, base: str) -> str:
        """fx's name for the next ``call_function`` / ``call_method`` node of ``base``."""
        n = self.counts.get(base, 0)
        self.counts[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def _emit(self, layer: Layer, reads: Sequence[str], out_id: str, shape: Shape) -> str:
        self.graph.tensor(out_id, shape)
        self.graph.layer(reads, [out_id])
        self.layers.append(layer)
        self.shapes[out_id] = shape
        return out_id

    def input(self, shape: Shape) -> str:
        self.shapes["x"] = shape
        return self.graph.tensor("x", shape, is_input=True)

    def conv(self, target: str, module: nn.Module, x: str) -> str:
        if type(module) is not nn.Conv2d or not isinstance(module.padding, tuple):
            raise UnknownModel(f"{target}: {type(module).__name__}")
        inp = self.shapes[x]
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = module.kernel_size, module.stride, module.padding, module.dilation
        out = (inp[0], module.out_channels, _conv_out(inp[2], kh, sh, ph, dh), _conv_out(inp[3], kw, sw, pw, dw))
        weight = tuple(module.weight.shape)
        layer = _conv_layer(target, inp, out, weight, module.stride, module.dilation, module.groups)
        reads = [x, self.graph.tensor(f"{target}.weight", weight, is_weight=True)]
        return self._emit(layer, reads, _node_name(target), out)

    def act(self, target: str, module: nn.Module, x: str) -> str:
        """An activation module (or ``Identity``: no layer, the value passes through)."""
        if type(module) is nn.Identity:
            return x
        kind = next((act for cls, act in _ACT_MODULES.items() if isinstance(module, cls)), None)
        if kind is None:
            raise UnknownModel(f"{target}: {type(module).__name__}")
        shape = self.shapes[x]
        return self._emit(_vector_layer(target, "act", shape, ACT_OPS[kind], label=kind), [x], _node_name(target), shape)

    def batch_norm_act(self, target: str, module: nn.Module, x: str) -> str:
        """timm's ``BatchNormAct2d``: ``F.batch_norm`` on its weight, bias and running statistics
        (declared in the order the tracer meets them), then ``drop`` and ``act``."""
        if type(module).__name__ != "BatchNormAct2d" or type(module.drop) is not nn.Identity:
            raise UnknownModel(f"{target}: {type(module).__name__}")
        for name in ("weight", "bias"):  # parameters become nodes when the forward reads them
            self.graph.tensor(f"{target}.{name}", tuple(getattr(module, name).shape), is_weight=True)
        stats = [self.graph.tensor(f"{target}.{name}", tuple(getattr(module, name).shape), is_weight=True)
                 for name in ("running_mean", "running_var")]  # buffers when the call takes them
        shape = self.shapes[x]
        name = self._function_name("batch_norm")
        layer = _vector_layer(name, "norm", shape, NORM_OPS["batch_norm"], label="batch_norm")
        y = self._emit(layer, [x, *stats, f"{target}.weight", f"{target}.bias"], name, shape)
        return self.act(f"{target}.act", module.act, y)

    def binary(self, base: str, a: str, b: str) -> str:
        """``a + b`` or ``a * b`` (broadcast to ``a``'s shape)."""
        name = self._function_name(base)
        shape = self.shapes[a]
        layer = _vector_layer(name, "eltwise", shape, 1, operands=2, label=base)
        return self._emit(layer, [a, b], name, shape)

    def squeeze_excite(self, target: str, module: nn.Module, x: str) -> str:
        """timm's ``SqueezeExcite``: mean over H, W → conv_reduce → act1 → conv_expand → gate, times x."""
        if type(module).__name__ != "SqueezeExcite":
            raise UnknownModel(f"{target}: {type(module).__name__}")
        inp = self.shapes[x]
        out = (inp[0], inp[1], 1, 1)
        name = self._function_name("mean")
        pooled = self._emit(_vector_layer(name, "pool", out, inp[2] * inp[3], kernel=(inp[2], inp[3]), in_shape=inp),
                            [x], name, out)
        y = self.conv(f"{target}.conv_reduce", module.conv_reduce, pooled)
        y = self.act(f"{target}.act1", module.act1, y)
        y = self.conv(f"{target}.conv_expand", module.conv_expand, y)
        gate = self.act(f"{target}.gate", module.gate, y)
        return self.binary("mul", x, gate)

    def optional_se(self, target: str, module: nn.Module, x: str) -> str:
        return x if type(module) is nn.Identity else self.squeeze_excite(target, module, x)

    def block(self, target: str, block: nn.Module, x: str) -> str:
        """timm's ``DepthwiseSeparableConv`` (ds) or ``InvertedResidual`` (ir), as its forward runs."""
        kind = type(block).__name__
        # (timm versions without a space-to-depth or anti-aliasing option lack those attributes)
        if (kind not in ("DepthwiseSeparableConv", "InvertedResidual") or getattr(block, "conv_s2d", None) is not None
                or type(getattr(block, "aa", nn.Identity())) is not nn.Identity
                or type(block.drop_path) is not nn.Identity):
            raise UnknownModel(f"{target}: {kind}")
        shortcut = x
        if kind == "DepthwiseSeparableConv":
            x = self.batch_norm_act(f"{target}.bn1", block.bn1, self.conv(f"{target}.conv_dw", block.conv_dw, x))
            x = self.optional_se(f"{target}.se", block.se, x)
            x = self.batch_norm_act(f"{target}.bn2", block.bn2, self.conv(f"{target}.conv_pw", block.conv_pw, x))
        else:
            x = self.batch_norm_act(f"{target}.bn1", block.bn1, self.conv(f"{target}.conv_pw", block.conv_pw, x))
            x = self.batch_norm_act(f"{target}.bn2", block.bn2, self.conv(f"{target}.conv_dw", block.conv_dw, x))
            x = self.optional_se(f"{target}.se", block.se, x)
            x = self.batch_norm_act(f"{target}.bn3", block.bn3, self.conv(f"{target}.conv_pwl", block.conv_pwl, x))
        return self.binary("add", x, shortcut) if block.has_skip else x

    def head(self, model: nn.Module, x: str) -> str:
        """timm's ``SelectAdaptivePool2d`` (average, flattened) and the linear classifier."""
        pool = model.global_pool
        if (type(pool).__name__ != "SelectAdaptivePool2d" or type(pool.pool) is not nn.AdaptiveAvgPool2d
                or pool.pool.output_size not in (1, (1, 1)) or type(pool.flatten) is not nn.Flatten
                or type(model.classifier) is not nn.Linear or model.drop_rate > 0):
            raise UnknownModel("head")
        inp = self.shapes[x]
        out = (inp[0], inp[1], 1, 1)
        layer = _vector_layer("global_pool.pool", "pool", out, inp[2] * inp[3], kernel=(inp[2], inp[3]), in_shape=inp)
        pooled = self._emit(layer, [x], "global_pool_pool", out)
        flat = (inp[0], inp[1])  # the flatten is a view: the same tensor
        classifier = model.classifier
        weight = tuple(classifier.weight.shape)
        reads = [pooled, self.graph.tensor("classifier.weight", weight, is_weight=True)]
        return self._emit(_linear_layer("classifier", flat, classifier.out_features), reads, "classifier",
                          (inp[0], classifier.out_features))


def efficientnet_workload(model: nn.Module, input_shape: Sequence[int], batch: int, name: str) -> Workload:
    """The fused workload of a timm ``EfficientNet`` at ``(batch, *input_shape)``, equal to what
    ``extract_workload`` traces (raises ``UnknownModel`` for a model it does not know)."""
    if type(model).__name__ != "EfficientNet" or getattr(model, "grad_checkpointing", False):
        raise UnknownModel(type(model).__name__)
    walk = _Walker()
    x = walk.input((batch, *(int(d) for d in input_shape)))
    x = walk.batch_norm_act("bn1", model.bn1, walk.conv("conv_stem", model.conv_stem, x))
    for i, stage in enumerate(model.blocks):
        for j, block in enumerate(stage):
            x = walk.block(f"blocks.{i}.{j}", block, x)
    x = walk.batch_norm_act("bn2", model.bn2, walk.conv("conv_head", model.conv_head, x))
    out = walk.head(model, x)
    walk.graph.mark_outputs([out])
    layers = fuse_layers(walk.layers, walk.graph)
    return Workload(name=name, layers=tuple(layers), input_shape=(batch, *input_shape),
                    meta={"batch": batch, "extraction": "analytic"}, graph=walk.graph.build())
