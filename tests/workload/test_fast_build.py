"""The fast paths of loading a layers file build what the plain ones build: ``Layer.from_dict``
(no per-field ``__setattr__``, one-pass checks) gives the layer ``Layer(**data)`` gives and the
same error; ``chain_graph`` (one pass over dicts) gives the graph that ``GraphBuilder`` builds by
the rule its docstring states."""
from __future__ import annotations

import enum
import math
import random

import pytest

from codesign.errors import ConfigError
from codesign.workload import Layer, Workload
from codesign.workload.graph import GraphBuilder, TensorGraph
from codesign.workload.graph_io import chain_graph, input_shape_of, output_shape, weight_shape
from codesign.workload.layer import MAX_EXTENT, OPS


class _Small(enum.IntEnum):
    TWO = 2


_GOOD = {"N": [1, 2], "K": [4, 8, 16], "C": [4, 8], "P": [1, 7], "Q": [1, 7], "R": [1, 3], "S": [1, 3],
         "H": [0, 9], "W": [0, 9], "stride_h": [1, 2], "stride_w": [1, 2], "dilation_h": [1, 2],
         "dilation_w": [1], "groups": [1, 4], "operands": [1, 2], "ops_per_output": [0, 1, 2.5],
         "post_ops": [0.0, 1]}
_BAD = [0, -1, MAX_EXTENT + 1, 1.5, True, "3", None, math.nan, math.inf, [1], _Small.TWO, 2**70]


def _random_data(rng: random.Random) -> dict:
    data = {"name": rng.choice(["a", "layer.1", "ü"]), "op": rng.choice(OPS)}
    for key, values in _GOOD.items():
        if rng.random() < 0.6:
            data[key] = rng.choice(values)
    if rng.random() < 0.3:  # one field wrong, or an unknown key, or a missing one
        choice = rng.random()
        if choice < 0.7:
            data[rng.choice([*_GOOD, "op", "name", "extra"])] = rng.choice(_BAD)
        elif choice < 0.85:
            data[rng.choice(["k", "inputs", 3])] = 1
        else:
            del data[rng.choice(["name", "op"])]
    elif rng.random() < 0.3:
        data["extra"] = {"kind": "relu"}
    return data


def _reference_layer(data: dict, where: str) -> Layer:
    """``Layer.from_dict`` spelled plainly: the known-key check, then the dataclass constructor."""
    known = sorted(Layer.__dataclass_fields__)
    unknown = sorted(set(map(str, data)) - set(known))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown key (known: {', '.join(known)})")
    for required in ("name", "op"):
        if required not in data:
            raise ConfigError(f"{where}.{required}", "required")
    try:
        return Layer(**data)
    except ConfigError as exc:
        raise ConfigError(f"{where}.{exc.field.rsplit('.', 1)[-1]}", exc.message) from None


def _outcome(fn, *args):
    try:
        return fn(*args)
    except (ConfigError, TypeError) as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("seed", range(40))
def test_from_dict_builds_what_the_constructor_builds(seed):
    rng = random.Random(seed)
    for _ in range(50):
        data = _random_data(rng)
        got, want = _outcome(Layer.from_dict, data, "w.layers[0]"), _outcome(_reference_layer, data, "w.layers[0]")
        assert got == want
        if isinstance(got, Layer):
            assert got.__dict__ == want.__dict__  # extra too, which equality leaves out


def test_each_layer_gets_its_own_extra():
    a, b = Layer.from_dict({"name": "a", "op": "conv"}), Layer.from_dict({"name": "b", "op": "conv"})
    a.extra["x"] = 1
    assert b.extra == {}


def _reference_chain(layers, input_shape=()) -> TensorGraph:
    """The chain graph by ``GraphBuilder``, as ``chain_graph`` documents it."""
    builder = GraphBuilder()
    names = {layer.name for layer in layers}
    for i, layer in enumerate(layers):
        prev = layers[i - 1] if i else None
        if prev is not None and prev.output_elems == layer.input_elems:
            source = prev.name
        else:
            source = "input" if i == 0 and "input" not in names else f"{layer.name}.in"
            shape = tuple(input_shape) if i == 0 and math.prod(input_shape or (0,)) == layer.input_elems \
                else input_shape_of(layer)
            builder.tensor(source, shape, is_input=True)
        builder.tensor(layer.name, output_shape(layer))
        weights = [builder.tensor(f"{layer.name}.weight", weight_shape(layer), is_weight=True)] \
            if layer.static_weights else []
        builder.layer([source, *weights], [layer.name])
    if layers:
        builder.mark_outputs([layers[-1].name])
    return builder.build()


def _random_layers(rng: random.Random, n: int) -> list[Layer]:
    # Names that collide with the ids the chain derives (``x.in``, ``x.weight``, ``input``).
    names = ["a", "b", "a.in", "b.weight", "input", "c", "a.weight", "d.in"]
    rng.shuffle(names)
    out = []
    for name in names[:n]:
        op = rng.choice(["conv", "linear", "act", "eltwise", "matmul"])
        k = rng.choice([4, 8])
        out.append(Layer(name=name, op=op, K=k, C=rng.choice([4, 8]) if op != "act" else k, P=rng.choice([1, 2]),
                         Q=rng.choice([1, 2]), R=rng.choice([1, 3])))
    return out


@pytest.mark.parametrize("seed", range(60))
def test_chain_graph_is_the_graph_builder_chain(seed):
    rng = random.Random(seed)
    layers = _random_layers(rng, rng.randint(1, 8))
    shape = rng.choice([(), (1, 4, 1, 1), (1, 8, 2, 2), (2, 3)])
    assert _outcome(chain_graph, layers, shape) == _outcome(_reference_chain, layers, shape)


def test_a_workload_of_many_chained_layers_keeps_its_edges():
    layers = tuple(Layer(name=f"l{i}", op="conv", K=8, C=8, P=4, Q=4, R=1, S=1) for i in range(300))
    workload = Workload("w", layers)
    assert workload.graph == _reference_chain(layers)
    assert workload.reads(299) == ("l298", "l299.weight") and workload.cut_tensors(149)[0].id == "l149"


def test_new_tensor_is_the_dataclass_tensor():
    from codesign.workload.graph import Tensor, new_tensor

    made = new_tensor("t", (1, 2), 2, True, False, False)
    assert made == Tensor("t", (1, 2), 2, is_input=True) and made.__dict__ == Tensor("t", (1, 2), 2, True).__dict__
    assert hash(made) == hash(Tensor("t", (1, 2), 2, True))
    with pytest.raises(AttributeError):
        made.id = "u"  # still frozen
