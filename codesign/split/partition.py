"""A torch model cut at workload cuts: one ``torch.fx`` sub-graph per tier.

The workload's layers come from the same fx trace (``codesign.workload.extract``): a layer is named
after the node that produced it (the module path for modules, the node name for functions), and
fused BatchNorms and activations follow their MAC layer's node. So cut ``c`` (the device runs
layers ``0 .. c``) falls just before the node that starts layer ``c + 1``; the nodes in between that
make no layer (reshapes, concatenations) stay with the layer before them. What crosses a cut is
every value made before it and used after it (a skip branch too), measured from the traced
shapes, independently of the workload graph's own tensor bookkeeping.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.fx
import torch.nn as nn
from torch.fx.passes.shape_prop import ShapeProp

from codesign.errors import CodesignError, ConfigError
from codesign.workload import Workload
from codesign.workload.cse_fx import merge_common_fx_nodes


@dataclass(frozen=True)
class TierGraph:
    """One tier's part of the network: an fx module, the values it takes and the values it gives."""

    tier: str
    module: torch.fx.GraphModule
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    #: Elements of each input and output value (from the traced shapes).
    elements: dict[str, int]

    def input_bytes(self, bits: int) -> float:
        """Bytes of the values this part receives, at ``bits`` per element."""
        return sum(self.elements[name] for name in self.inputs) * bits / 8


def _node_key(node: torch.fx.Node) -> str:
    return str(node.target) if node.op == "call_module" else node.name


def _layer_starts(nodes: list[torch.fx.Node], workload: Workload) -> list[int]:
    """Position in ``nodes`` of the node that makes each workload layer."""
    index = {layer.name: i for i, layer in enumerate(workload.layers)}
    starts: list[int | None] = [None] * len(workload.layers)
    for pos, node in enumerate(nodes):
        key = _node_key(node)
        for name in (key, f"{key}.qk", f"{key}.softmax", f"{key}.av"):  # attention makes three layers
            if name in index and starts[index[name]] is None:
                starts[index[name]] = pos
    missing = [workload.layers[i].name for i, s in enumerate(starts) if s is None]
    if missing:
        raise CodesignError(f"cannot cut {workload.name}: layer(s) {', '.join(missing[:3])} have no torch.fx node "
                            "(was the workload extracted from this model with torch.fx?)")
    return [int(s) for s in starts]  # type: ignore[arg-type]


def _elements(node: torch.fx.Node) -> int | None:
    meta = node.meta.get("tensor_meta")
    if meta is None or not hasattr(meta, "shape"):
        return None
    return int(math.prod(meta.shape))


def split_graph(model: nn.Module, input_shape: tuple[int, ...], workload: Workload,
                cuts: dict[str, int]) -> list[TierGraph]:
    """``model`` (eval mode, batch ``input_shape[0]``) cut into the tiers of ``cuts``: tier name →
    the last layer it runs, in order (e.g. ``{"device": 4, "mec": 9, "cloud": L-1}``). Tiers that
    run no layer are left out; what they would pass on goes straight to the next tier."""
    n = len(workload.layers)
    last = -1
    for tier, cut in cuts.items():
        if not isinstance(cut, int) or not last <= cut <= n - 1:
            raise ConfigError(f"split.{tier}", f"cut {cut!r} outside the network (layers -1..{n - 1}, "
                                               "non-decreasing from device to cloud)")
        last = cut
    if last != n - 1:
        raise ConfigError("split", f"the last tier must run the network to its end (layer {n - 1}), got {last}")
    model.eval()
    gm = torch.fx.symbolic_trace(model)
    # The graph the workload was read from: its repeated computations merged as extraction merged
    # them (codesign.workload.cse_fx), or not at all for a workload extracted unmerged.
    if workload.meta.get("merged") and merge_common_fx_nodes(gm.graph, dict(gm.named_modules())):
        gm.recompile()
    with torch.no_grad():
        ShapeProp(gm).propagate(torch.zeros(*input_shape))
    nodes = list(gm.graph.nodes)
    body = [i for i, node in enumerate(nodes) if node.op not in ("placeholder", "get_attr", "output")]
    starts = _layer_starts(nodes, workload)
    output = nodes[-1]
    position = {node: i for i, node in enumerate(nodes)}

    def boundary(cut: int) -> int:
        return starts[cut + 1] if cut + 1 < n else position[output]

    def crossing(at: int) -> list[torch.fx.Node]:
        """Values made before position ``at`` and used at or after it (weights are not values)."""
        return [node for node in nodes[:at] if node.op not in ("get_attr", "output")
                and any(position[user] >= at for user in node.users)]

    parts: list[TierGraph] = []
    start, previous = 0, -1
    for tier, cut in cuts.items():
        if cut == previous:
            continue  # this tier runs no layer
        end = boundary(cut)
        own = [nodes[i] for i in body if start <= i < end]
        previous = cut
        inputs = crossing(start) if start > 0 else [nd for nd in nodes if nd.op == "placeholder"]
        outputs = crossing(end) if end < position[output] else list(output.all_input_nodes)
        parts.append(_part(gm, tier, own, inputs, outputs))
        start = end
    return parts


def _part(gm: torch.fx.GraphModule, tier: str, own: list[torch.fx.Node], inputs: list[torch.fx.Node],
          outputs: list[torch.fx.Node]) -> TierGraph:
    graph = torch.fx.Graph()
    env: dict[torch.fx.Node, torch.fx.Node] = {}
    elements: dict[str, int] = {}
    for node in inputs:
        count = _elements(node)
        if count is None:
            raise CodesignError(f"cannot cut before {own[0].name}: {node.name} crosses the cut and is not a tensor")
        env[node] = graph.placeholder(node.name)
        elements[node.name] = count

    def lookup(node: torch.fx.Node) -> torch.fx.Node:
        if node not in env and node.op == "get_attr":  # weights travel with the part that uses them
            env[node] = graph.node_copy(node, lookup)
        return env[node]

    for node in own:
        env[node] = graph.node_copy(node, lookup)
    for node in outputs:
        count = _elements(node)
        if count is None:
            raise CodesignError(f"cannot cut after {own[-1].name}: {node.name} crosses the cut and is not a tensor")
        elements[node.name] = count
    graph.output(tuple(env[node] for node in outputs))
    return TierGraph(tier=tier, module=torch.fx.GraphModule(gm, graph), inputs=tuple(n.name for n in inputs),
                     outputs=tuple(n.name for n in outputs), elements=elements)
