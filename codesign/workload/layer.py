"""One operator as a loop nest, in Timeloop's notation.

Dimensions: N batch, K output channels, C input channels, P x Q output height x width, R x S kernel
height x width, H x W input height x width as stored in memory (padding excluded). A GEMM is a
``linear`` layer with P (rows of the left operand) x C (shared dim) x K (columns), Q = R = S = 1.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from operator import itemgetter
from typing import Any

from codesign.errors import ConfigError

# Operator kinds. MAC kinds run on the PE array; vector kinds run on the vector/post-processing
# unit and cost ``ops_per_output`` simple operations per output element.
MAC_OPS = ("conv", "linear", "matmul")
VECTOR_OPS = ("pool", "eltwise", "act", "norm", "softmax")
OPS = MAC_OPS + VECTOR_OPS
#: Largest loop bound (and op count per output) a layer may declare: products of seven such
#: bounds stay finite in float64, and no real tensor dimension comes near it.
MAX_EXTENT = 2**31 - 1
_POSITIVE_INTS = ("N", "K", "C", "P", "Q", "R", "S", "stride_h", "stride_w", "dilation_h", "dilation_w",
                  "groups", "operands")


_POSITIVE_OF = itemgetter(*_POSITIVE_INTS)
_SIZES_OF = itemgetter("H", "W")
_INT_ONLY = {int}
_NUMBER = (int, float)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Layer:
    """One operator of a network as a loop nest.

    ``op``: conv | linear | matmul (both operands are activations, as in attention) | pool |
    eltwise | act | norm | softmax. ``groups`` > 1 is a grouped conv; depthwise is groups == C == K.
    ``operands``: how many input tensors a vector op reads (2 for a residual add).
    ``ops_per_output``: simple operations per output element of a vector op.
    ``post_ops``: operations per output of vector ops fused into a MAC layer's output path
    (a folded BatchNorm costs 0, a fused ReLU 1); see ``codesign.workload.extract``.
    """

    name: str
    op: str
    N: int = 1
    K: int = 1
    C: int = 1
    P: int = 1
    Q: int = 1
    R: int = 1
    S: int = 1
    H: int = 0
    W: int = 0
    stride_h: int = 1
    stride_w: int = 1
    dilation_h: int = 1
    dilation_w: int = 1
    groups: int = 1
    operands: int = 1
    ops_per_output: float = 1.0
    post_ops: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError("layer.name", f"must be a non-empty string, got {self.name!r}")
        if not isinstance(self.op, str) or self.op not in OPS:
            raise ConfigError(f"layer {self.name!r}.op", f"unknown op {self.op!r} (known: {', '.join(OPS)})")
        # The common case (plain ints and floats in range) is checked in a few C-level passes
        # without a message; ``_check_fields`` then finds the first bad field and says what is wrong.
        state = self.__dict__
        ints, sizes = _POSITIVE_OF(state), _SIZES_OF(state)
        ops, post = self.ops_per_output, self.post_ops
        if not (set(map(type, ints + sizes)) == _INT_ONLY and min(ints) >= 1 and min(sizes) >= 0
                and max(max(ints), max(sizes)) <= MAX_EXTENT and type(ops) in _NUMBER and type(post) in _NUMBER
                and 0 <= ops <= MAX_EXTENT and 0 <= post <= MAX_EXTENT and type(self.extra) is dict):
            self._check_fields()
        if self.C % self.groups or self.K % self.groups:
            raise ConfigError(f"layer {self.name!r}.groups",
                              f"groups={self.groups} must divide C={self.C} and K={self.K}")
        # Input size defaults to the unpadded extent the outputs read.
        if self.H <= 0:
            object.__setattr__(self, "H", (self.P - 1) * self.stride_h + (self.R - 1) * self.dilation_h + 1)
        if self.W <= 0:
            object.__setattr__(self, "W", (self.Q - 1) * self.stride_w + (self.S - 1) * self.dilation_w + 1)

    def _check_fields(self) -> None:
        """Raise ``ConfigError`` naming the first field of the wrong type or out of range."""
        where = f"layer {self.name!r}"
        for name in _POSITIVE_INTS:
            value = getattr(self, name)
            if not _is_int(value) or not 1 <= value <= MAX_EXTENT:
                raise ConfigError(f"{where}.{name}", f"must be a positive integer <= {MAX_EXTENT}, got {value!r}")
        for name in ("H", "W"):
            value = getattr(self, name)
            if not _is_int(value) or not 0 <= value <= MAX_EXTENT:
                raise ConfigError(f"{where}.{name}", f"must be an integer in 0..{MAX_EXTENT} (0: derived), "
                                                     f"got {value!r}")
        for name in ("ops_per_output", "post_ops"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_EXTENT:
                raise ConfigError(f"{where}.{name}", f"must be a finite number in 0..{MAX_EXTENT}, got {value!r}")
        if not isinstance(self.extra, dict):
            raise ConfigError(f"{where}.extra", f"must be a mapping, got {type(self.extra).__name__}")

    @property
    def is_mac(self) -> bool:
        """Whether the layer runs on the MAC array."""
        return self.op in MAC_OPS

    @property
    def macs(self) -> int:
        """Multiply-accumulates (0 for vector ops)."""
        if not self.is_mac:
            return 0
        return self.N * self.K * self.P * self.Q * (self.C // self.groups) * self.R * self.S

    @property
    def vector_ops(self) -> float:
        """Simple operations on the vector unit: a vector op's work, or a MAC layer's fused
        post-processing."""
        if self.is_mac:
            return self.output_elems * self.post_ops
        return self.output_elems * self.ops_per_output

    @property
    def output_elems(self) -> int:
        return self.N * self.K * self.P * self.Q

    @property
    def input_elems(self) -> int:
        """Elements of the (first) input activation tensor."""
        return self.N * self.C * self.H * self.W

    @property
    def weight_elems(self) -> int:
        """Elements of the static weights (conv, linear); the second operand of a matmul is an
        activation and counts here too, since it is read like weights."""
        if self.op in ("conv", "linear"):
            return self.K * (self.C // self.groups) * self.R * self.S
        if self.op == "matmul":
            return self.N * self.K * self.C
        return 0

    @property
    def static_weights(self) -> bool:
        return self.op in ("conv", "linear")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with only the fields that differ from their defaults (plus name, op, and
        ``extra`` when it holds anything: what the extractor recorded, e.g. fused operators)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if key in ("name", "op") or (value != _DEFAULTS.get(key) if key != "extra" else value):
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "layer") -> Layer:
        """Build a layer from a plain dict; unknown keys are an error that names them."""
        if not isinstance(data, dict):
            raise ConfigError(where, f"expected a mapping, got {type(data).__name__}")
        if not data.keys() <= _FIELDS:
            unknown = sorted(set(map(str, data)) - _FIELDS)
            raise ConfigError(f"{where}.{unknown[0]}", f"unknown key (known: {', '.join(sorted(_FIELDS))})")
        if "name" not in data or "op" not in data:
            raise ConfigError(f"{where}.{'name' if 'name' not in data else 'op'}", "required")
        try:
            # ``cls(**data)`` without the frozen dataclass's one ``object.__setattr__`` per field
            # (the keys are checked above to be fields; ``__post_init__`` validates as always).
            layer = cls.__new__(cls)
            layer.__dict__.update(_DEFAULTS, extra={})
            layer.__dict__.update(data)
            layer.__post_init__()
            return layer
        except ConfigError as exc:  # name the entry by its place in the file, not its name
            raise ConfigError(f"{where}.{exc.field.rsplit('.', 1)[-1]}", exc.message) from None


#: The keys a layer mapping may hold.
_FIELDS = frozenset(f.name for f in fields(Layer))
#: Every field's default but ``extra`` (a new dict per layer).
_DEFAULTS = {f.name: f.default for f in fields(Layer) if f.name not in ("name", "op", "extra")}
