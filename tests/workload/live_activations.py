"""An independent measurement of the activations alive at each point of a model's execution.

The model is traced with ``torch.fx`` and run (twice, on two random inputs) by an ``Interpreter``
that keeps every value. What is measured, per executed node: the storages of the tensors it
returns. A storage is

- a weight when it belongs to a parameter or buffer of the model (``expand`` of a class token);
- constant when every node that returns it returned the same values on both inputs (``x * 0``,
  NAS-Bench-201's ``none`` edge): it carries no information and is not counted;
- live at the point right after node ``j`` when a node at or before ``j`` returned it and a node
  after ``j`` that computes information (returns a non-constant tensor, or is the graph's output)
  takes a value stored in it as an argument.

Views, reshapes, slices and in-place ops share their storage, so a tensor and its views count
once, at their storage's size. No code of ``codesign.workload`` is used here.
"""
from __future__ import annotations

import torch
import torch.fx
from torch.utils._pytree import tree_flatten


class _Recorder(torch.fx.Interpreter):
    def __init__(self, gm: torch.fx.GraphModule) -> None:
        super().__init__(gm, garbage_collect_values=False)
        self.order: list[torch.fx.Node] = []
        self.outputs: dict[torch.fx.Node, list[torch.Tensor]] = {}
        self.snapshots: dict[torch.fx.Node, list[torch.Tensor]] = {}

    def run_node(self, n: torch.fx.Node):  # noqa: ANN201 - Interpreter's signature
        out = super().run_node(n)
        tensors = [t for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor)]
        self.order.append(n)
        self.outputs[n] = tensors
        # Copies now: later in-place ops would change the kept values.
        self.snapshots[n] = [t.detach().clone() for t in tensors]
        return out


class LiveActivations:
    """Live activation bytes at the point right after any node of ``model``'s fx graph."""

    def __init__(self, model: torch.nn.Module, input_shape: tuple[int, ...], seed: int = 0) -> None:
        model.eval()
        gm = torch.fx.symbolic_trace(model)
        gen = torch.Generator().manual_seed(seed)
        runs = []
        with torch.no_grad():
            for _ in range(2):
                rec = _Recorder(gm)
                rec.run(torch.randn(1, *input_shape, generator=gen))
                runs.append(rec)
        first, second = runs
        self.index = {n.name: i for i, n in enumerate(first.order)}
        self.placeholders = [i for i, n in enumerate(first.order) if n.op == "placeholder"]
        weights = {t.untyped_storage().data_ptr() for t in (*gm.parameters(), *gm.buffers())}
        constant_node = {
            n: bool(first.snapshots[n]) and all(
                a.shape == b.shape and torch.equal(a, b)
                for a, b in zip(first.snapshots[n], second.snapshots[n], strict=True))
            for n in first.order}
        created: dict[int, int] = {}
        informative: dict[int, bool] = {}
        self.elements: dict[int, int] = {}
        for i, n in enumerate(first.order):
            for t in first.outputs[n]:
                key = t.untyped_storage().data_ptr()
                created.setdefault(key, i)
                informative[key] = informative.get(key, False) or not constant_node[n]
                self.elements[key] = t.untyped_storage().nbytes() // t.element_size()
        last_use: dict[int, int] = {}
        for i, n in enumerate(first.order):
            computes = n.op == "output" or (bool(first.outputs[n]) and not constant_node[n])
            if not computes:
                continue
            args = [a for a in tree_flatten((n.args, n.kwargs))[0] if isinstance(a, torch.fx.Node)]
            for a in args:
                for t in first.outputs.get(a, []):
                    last_use[t.untyped_storage().data_ptr()] = i
        self.spans = {key: (created[key], last_use[key]) for key in last_use
                      if key not in weights and informative.get(key, False) and key in created}

    def live_bytes_after(self, j: int, bits: int) -> int:
        """Bytes of the storages alive right after execution step ``j`` (each rounded up to bytes)."""
        return sum(-(-self.elements[key] * bits // 8) for key, (start, end) in self.spans.items()
                   if start <= j < end)

    def live_bytes_after_node(self, name: str, bits: int) -> int:
        return self.live_bytes_after(self.index[name], bits)

    def live_bytes_before_compute(self, bits: int) -> int:
        """Bytes alive once the inputs are given, before any node computes."""
        return self.live_bytes_after(max(self.placeholders), bits)
