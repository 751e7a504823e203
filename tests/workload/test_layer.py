import pytest

from codesign.errors import ConfigError
from codesign.workload import Layer, Workload


def test_conv_macs_and_sizes():
    layer = Layer(name="c", op="conv", N=2, K=64, C=32, P=28, Q=28, R=3, S=3, H=30, W=30)
    assert layer.macs == 2 * 64 * 28 * 28 * 32 * 9
    assert layer.weight_elems == 64 * 32 * 9
    assert layer.input_elems == 2 * 32 * 30 * 30
    assert layer.output_elems == 2 * 64 * 28 * 28


def test_depthwise_and_input_size_default():
    layer = Layer(name="dw", op="conv", K=16, C=16, P=10, Q=10, R=3, S=3, groups=16, stride_h=2, stride_w=2)
    assert layer.macs == 16 * 100 * 9
    assert (layer.H, layer.W) == (21, 21)


def test_vector_ops_and_post_ops():
    act = Layer(name="a", op="act", K=8, C=8, P=4, Q=4, ops_per_output=2)
    assert act.macs == 0 and act.vector_ops == 2 * 8 * 16
    conv = Layer(name="c", op="conv", K=8, C=8, P=4, Q=4, post_ops=1)
    assert conv.vector_ops == 8 * 16


@pytest.mark.parametrize("bad,field", [
    ({"op": "fft"}, "op"), ({"K": 0}, "K"), ({"groups": 3, "C": 8, "K": 8}, "groups"), ({"R": 1.5}, "R"),
])
def test_invalid_layers_name_the_field(bad, field):
    data = {"name": "x", "op": "conv", "K": 8, "C": 8, **bad}
    with pytest.raises(ConfigError) as info:
        Layer.from_dict(data)
    assert field in str(info.value)


def test_workload_yaml_round_trip(tmp_path):
    w = Workload("net", (Layer(name="c1", op="conv", K=8, C=3, P=8, Q=8, R=3, S=3),
                         Layer(name="fc", op="linear", K=10, C=512)), input_shape=(1, 3, 10, 10))
    path = tmp_path / "w.yaml"
    w.save_yaml(path)
    back = Workload.load_yaml(path)
    assert back.layers == w.layers and back.macs == w.macs and back.input_shape == w.input_shape


def test_workload_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        Workload.load_yaml(tmp_path / "missing.yaml")
    path = tmp_path / "dup.yaml"
    path.write_text("layers:\n- {name: a, op: conv}\n- {name: a, op: conv}\n")
    with pytest.raises(ConfigError, match="duplicate layer name"):
        Workload.load_yaml(path)
    path.write_text("layers:\n- {name: a, op: conv, colour: red}\n")
    with pytest.raises(ConfigError, match="unknown key"):
        Workload.load_yaml(path)


def test_arrays_align_with_layers():
    w = Workload("n", (Layer(name="c", op="conv", K=4, C=2, P=3, Q=3, R=3, S=3), Layer(name="r", op="act", K=4, C=4, P=3, Q=3)))
    a = w.arrays
    assert list(a.is_mac) == [True, False]
    assert a.macs.sum() == w.macs


def test_extra_survives_the_layers_file(tmp_path):
    """What the extractor records beside the loop nest (operator kind, fused operators) is written
    to and read back from the layers file, where ``==`` (which ignores ``extra``) would not notice."""
    layers = (Layer(name="c1", op="conv", K=8, C=3, P=8, Q=8, R=3, S=3, extra={"fused": ["batchnorm", "relu"]}),
              Layer(name="a", op="act", K=8, C=8, P=8, Q=8, extra={"kind": "gelu"}),
              Layer(name="fc", op="linear", K=10, C=512))
    path = tmp_path / "w.yaml"
    Workload("net", layers, input_shape=(1, 3, 10, 10)).save_yaml(path)
    back = Workload.load_yaml(path)
    assert [layer.extra for layer in back.layers] == [layer.extra for layer in layers]
