"""Registries: one per kind of extension (sub-spaces, stages, spaces, accelerator templates, cost
models, proxies, strategies, executors).

An extension is one file that decorates a class with ``@REGISTRY.register("name")``. Built-in
entries live in known packages that are imported on first use; third-party packages add theirs
through the ``codesign.plugins`` entry-point group (each entry point names a module to import).
"""
from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from codesign.errors import UnknownNameError

T = TypeVar("T")

_PLUGIN_GROUP = "codesign.plugins"
_plugins_loaded = False


def _load_entry_point_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in importlib.metadata.entry_points(group=_PLUGIN_GROUP):
        importlib.import_module(entry.value.split(":")[0])


def import_submodules(package: str) -> None:
    """Import every module of ``package`` (or the module itself) so that their ``register``
    decorators run; a package that does not exist is skipped."""
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name == package:  # a package a registry lists before anyone wrote it (codesign.split)
            return
        raise
    if not hasattr(pkg, "__path__"):
        return
    for info in pkgutil.iter_modules(pkg.__path__, prefix=package + "."):
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            importlib.import_module(info.name)


class Registry(Generic[T]):
    """Name → class, filled by decorators in the packages listed in ``packages``."""

    def __init__(self, kind: str, packages: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self._packages = packages
        self._entries: dict[str, type[T]] = {}
        self._discovered = False

    def register(self, name: str) -> Callable[[type[T]], type[T]]:
        """Class decorator: make the class available as ``name``."""

        def decorate(cls: type[T]) -> type[T]:
            existing = self._entries.get(name)
            if existing is not None and existing.__qualname__ != cls.__qualname__:
                raise ValueError(f"{self.kind} {name!r} is registered twice ({existing}, {cls})")
            cls.registry_name = name  # type: ignore[attr-defined]
            self._entries[name] = cls
            return cls

        return decorate

    def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        for package in self._packages:
            import_submodules(package)
        _load_entry_point_plugins()

    def get(self, name: str, field: str = "") -> type[T]:
        """The class registered as ``name``; an unknown name raises a one-line error."""
        self._discover()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, self.names(), field) from None

    def create(self, name: str, **options: Any) -> T:
        """Instantiate the entry ``name`` with ``options``."""
        return self.get(name)(**options)

    def names(self) -> list[str]:
        """Registered names, sorted."""
        self._discover()
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        self._discover()
        return name in self._entries

    def __iter__(self) -> Iterator[tuple[str, type[T]]]:
        self._discover()
        return iter(sorted(self._entries.items()))
