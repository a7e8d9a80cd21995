"""A bounded cache of compiled diagrams, keyed by structure and by object identity."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from catlearn.diagrams import Hypergraph

T = TypeVar("T")

_SIZE = 256  # compiled structures kept per functor


class StructureCache(Generic[T]):
    """``get(diagram, convert, build)``: one compiled value per diagram structure.

    DisCoPy hashes boxes through ``repr`` (O(size) each time), so the same
    diagram *object* is also remembered by identity, holding a reference so
    that an id is never reused while cached.
    """

    def __init__(self, size: int = _SIZE) -> None:
        self.size = size
        self._by_structure: OrderedDict[int, T] = OrderedDict()
        self._by_object: OrderedDict[int, tuple[Any, T]] = OrderedDict()

    def get(
        self, diagram: Any, convert: Callable[[Any], Hypergraph], build: Callable[[Hypergraph], T]
    ) -> T:
        seen = self._by_object.get(id(diagram))
        if seen is not None and seen[0] is diagram:
            return seen[1]
        graph = convert(diagram)
        key = graph.structure_hash()
        if key in self._by_structure:
            self._by_structure.move_to_end(key)
        else:
            self._by_structure[key] = build(graph)
            if len(self._by_structure) > self.size:
                self._by_structure.popitem(last=False)
        value = self._by_structure[key]
        self._by_object[id(diagram)] = (diagram, value)
        if len(self._by_object) > self.size:
            self._by_object.popitem(last=False)
        return value
