import pytest

from codesign.errors import UnknownNameError
from codesign.registry import Registry


def test_register_create_and_list():
    reg = Registry("widget")

    @reg.register("a")
    class A:
        def __init__(self, x=1):
            self.x = x

    assert reg.names() == ["a"]
    assert reg.create("a", x=3).x == 3
    assert "a" in reg and "b" not in reg
    assert A.registry_name == "a"


def test_unknown_name_lists_known_ones():
    reg = Registry("widget")

    @reg.register("alpha")
    class Alpha:
        pass

    with pytest.raises(UnknownNameError) as info:
        reg.get("beta", field="thing.name")
    assert str(info.value) == "thing.name: unknown widget 'beta' (known: alpha)"


def test_two_classes_under_one_name_is_an_error():
    reg = Registry("widget")

    @reg.register("x")
    class X:
        pass

    with pytest.raises(ValueError):
        @reg.register("x")
        class Y:
            pass


@pytest.mark.parametrize("module,registry,expected", [
    ("codesign.spaces.base", "SPACES", {"mbconv"}),
    ("codesign.hardware.config", "TEMPLATES", {"systolic"}),
    ("codesign.costmodel.base", "COST_MODELS", {"systolic"}),
    ("codesign.proxies.base", "PROXIES", {"naswot", "synflow", "params", "flops"}),
    ("codesign.search.strategies", "STRATEGIES", {"nsga2", "tpe", "random", "qmc"}),
    ("codesign.search.executors", "EXECUTORS", {"inline", "processes", "ray"}),
])
def test_builtin_entries_are_discovered(module, registry, expected):
    import importlib

    reg = getattr(importlib.import_module(module), registry)
    assert expected <= set(reg.names())
