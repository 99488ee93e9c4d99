"""The protocol of the lazy iterator nodes: :class:`IteratorNode`, its passes, and their saved states.

A node (:mod:`lhotse_lite.manifest.lazy`, :mod:`lhotse_lite.manifest.mux`,
:mod:`lhotse_lite.manifest.indexed`) implements ``_start(resume)``, which returns a :class:`NodePass`:
an iterator over one pass that can describe where it stands (``state_dict()``). ``iter(node)``
starts a pass (continuing from the state given to ``load_state_dict`` when there is one) and
``node.state_dict()`` describes the node's most recent pass. A node reaches its children through
:func:`open_child` and :func:`child_state`, which also handle children that are not nodes (lists,
eager sets, dict values: resumed by skipping the items taken) and refuse what cannot be resumed with
:class:`~lhotse_lite.errors.NotCheckpointableError`. Items held in a state (a shuffle buffer) are saved
as JSON: a plain JSON value, or an item's class and ``to_dict()``.

Example:
    >>> from lhotse_lite.manifest.lazy import LazyFilter
    >>> node = LazyFilter([1, 2, 3, 4], lambda x: x > 1)
    >>> node.state_dict()  # never iterated
    {'fresh': True}
    >>> it = iter(node); next(it), node.state_dict()
    (2, {'source': {'taken': 2}})
"""

from __future__ import annotations

import importlib
import itertools
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

from lhotse_lite.errors import NotCheckpointableError, UnknownLengthError

__all__ = [
    "State",
    "FRESH",
    "NodePass",
    "IteratorNode",
    "LazyNode",
    "open_child",
    "child_state",
    "graph_nodes",
    "persistent_states",
    "load_persistent_states",
]

State = Dict[str, Any]
FRESH: State = {"fresh": True}  # the state of a node that was never iterated: its next pass starts afresh


class NodePass(itertools.chain):
    """One pass over a node: an iterator that can describe its position (``state_dict()``).

    A ``chain`` of the one iterator ``items``, so that taking an item is a C call into ``items`` (no
    Python frame per item in a stack of nodes).

    Args:
        items: The iterator of the pass.
        state: Returns the pass's state (JSON-serialisable) when called.
    """

    __slots__ = ("_state",)
    _state: Callable[[], State]

    def __new__(cls, items: Iterator[Any], state: Callable[[], State]) -> "NodePass":
        self = super().__new__(cls, items)
        self._state = state
        return self

    def state_dict(self) -> State:
        """Where this pass stands, after the last item it yielded."""
        return self._state()


class _Counted:
    """A pass over a plain re-iterable child (a list, an eager set, a dict's values), counting items taken."""

    __slots__ = ("_items", "taken")

    def __init__(self, source: Iterable[Any], skip: int) -> None:
        values = source.values() if isinstance(source, dict) else source
        self._items = iter(values)
        if self._items is values:
            self._items = _OneShot(values)
        self.taken = 0
        if skip:
            self.taken = sum(1 for _ in itertools.islice(self._items, skip))

    def __iter__(self) -> "_Counted":
        return self

    def __next__(self) -> Any:
        item = next(self._items)
        self.taken += 1
        return item

    def state_dict(self) -> State:
        if isinstance(self._items, _OneShot):
            raise NotCheckpointableError(
                f"a one-shot iterator ({type(self._items.items).__name__}) is a source of a lazy node and cannot be "
                f"replayed on resume; give a list or a lazy set instead"
            )
        return {"taken": self.taken}


class _OneShot:
    __slots__ = ("items",)

    def __init__(self, items: Iterator[Any]) -> None:
        self.items = items

    def __iter__(self) -> "_OneShot":
        return self

    def __next__(self) -> Any:
        return next(self.items)


def open_child(source: Iterable[Any], state: Optional[State]) -> Iterator[Any]:
    """A pass over a node's child ``source``, continuing from ``state`` (``None``: from the start)."""
    if isinstance(source, IteratorNode):
        if state is not None:
            source.load_state_dict(state)
        return iter(source)
    if state == FRESH:
        state = None
    if state is not None and set(state) != {"taken"}:
        raise NotCheckpointableError(
            f"a state of keys {sorted(state)} cannot restore a {type(source).__name__} "
            f"source; the graph differs from the one that saved the state"
        )
    return _Counted(source, 0 if state is None else state["taken"])


def child_state(source: Iterable[Any], items: Optional[Iterator[Any]]) -> State:
    """The state of the pass ``items`` over the child ``source`` (``None``: not started)."""
    if items is None:
        return _Counted(source, 0).state_dict() if not isinstance(source, IteratorNode) else source.state_dict()
    state = getattr(items, "state_dict", None)
    if state is None:
        raise NotCheckpointableError(
            f"{type(source).__name__} cannot save its position (its iterator {type(items).__name__} has no "
            f"state_dict); derive it from lhotse_lite.lazy.IteratorNode and implement _start(), or remove it "
            f"before checkpointing"
        )
    return state()


class IteratorNode:
    """Base of the nodes (Lhotse 2.0's ``IteratorNode``): ``+`` chains, resume by ``state_dict``.

    A subclass implements ``_start(resume) -> NodePass`` (a pass from the beginning when ``resume`` is
    ``None``, else continuing from that state) and sets ``source`` or ``sources``. ``len()`` is unknown
    unless a node says otherwise. A subclass that overrides ``__iter__`` instead still iterates, but
    cannot be checkpointed (``state_dict`` raises :class:`~lhotse_lite.errors.NotCheckpointableError`).

    Example:
        >>> from lhotse_lite.manifest.lazy import LazyMapper
        >>> list(LazyMapper([1], str) + LazyMapper([2], str))
        ['1', '2']
    """

    is_checkpointable = True
    is_indexed = False

    def __add__(self, other: Iterable[Any]) -> Any:
        from lhotse_lite.manifest.lazy import LazyIteratorChain

        return LazyIteratorChain(self, other)

    def __len__(self) -> int:
        raise UnknownLengthError(
            f"{type(self).__name__} does not know its length without a full pass; "
            f"count with sum(1 for _ in manifest), or load it with .to_eager() first"
        )

    def __iter__(self) -> Iterator[Any]:
        resume = self.__dict__.pop("_resume", None)
        items = self._start(None if resume == FRESH else resume)
        self._last_pass = items
        return items

    def _start(self, resume: Optional[State]) -> NodePass:
        raise NotCheckpointableError(
            f"{type(self).__name__} does not implement _start(); it cannot be iterated through IteratorNode.__iter__"
        )

    def state_dict(self) -> State:
        """Where the latest pass stands: JSON-serialisable data for :meth:`load_state_dict`.

        Raises:
            NotCheckpointableError: The node, or a source below it, cannot save its position.
        """
        if "_resume" in self.__dict__:
            return self.__dict__["_resume"]
        if type(self)._start is IteratorNode._start:
            raise NotCheckpointableError(
                f"{type(self).__name__} cannot save its position: it overrides __iter__ without implementing "
                f"_start(); remove it from the pipeline before checkpointing"
            )
        last = self.__dict__.get("_last_pass")
        if last is None:  # never iterated: a pass from the beginning
            return dict(FRESH)
        return child_state(self, last)

    def load_state_dict(self, state: State) -> None:
        """Make the next ``iter()`` continue from ``state`` (a :meth:`state_dict` of an equal node).

        Raises:
            NotCheckpointableError: The node cannot restore a position.
        """
        if type(self)._start is IteratorNode._start:
            raise NotCheckpointableError(f"{type(self).__name__} cannot restore a position (no _start())")
        self._resume = state

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_last_pass", None)  # a running pass holds open files and generators
        return state

    # Lhotse 1.33's names of the children.
    @property
    def iterator(self) -> Iterable[Any]:
        """The source (Lhotse 1.33's name of :attr:`source`)."""
        return self.source  # type: ignore[attr-defined]  # set by the one-child nodes

    @property
    def iterators(self) -> List[Iterable[Any]]:
        """The sources (Lhotse 1.33's name of :attr:`sources`)."""
        return self.sources  # type: ignore[attr-defined]  # set by the many-children nodes


LazyNode = IteratorNode


_JSON_SCALARS = (str, int, float, bool, type(None))


def graph_nodes(node: Any) -> Iterator["IteratorNode"]:
    """The nodes of the graph below ``node``, depth first in source order (the same order for equal graphs)."""
    if getattr(node, "is_lazy", False) and not isinstance(node, IteratorNode):
        node = node.data  # a lazy set: its root node
    if not isinstance(node, IteratorNode):
        return
    yield node
    children: List[Any] = list(getattr(node, "sources", None) or [])
    if not children and getattr(node, "source", None) is not None:
        children = [node.source]  # type: ignore[attr-defined]  # LazyNode subclasses set it
    for child in children:
        yield from graph_nodes(child)


def persistent_states(node: Any) -> List[List[Any]]:
    """``[[position, state], ...]`` of the nodes below ``node`` that carry state from pass to pass.

    A shuffled chain's pass count and order and a shuffler's generator outlive a pass: a node that opens
    its source again (a mux, a repeat) or reads it again on resume (a tail) needs them as they were.
    """
    return [[k, n.persistent_state()] for k, n in enumerate(graph_nodes(node)) if hasattr(n, "persistent_state")]


def load_persistent_states(node: Any, states: List[List[Any]]) -> None:
    """Restore :func:`persistent_states` into an equal graph."""
    nodes = list(graph_nodes(node))
    for k, state in states:
        nodes[k].load_persistent_state(state)  # only nodes that saved one (they define it)


def _is_json_value(value: Any) -> bool:
    if isinstance(value, _JSON_SCALARS):
        return True
    if isinstance(value, list):
        return all(_is_json_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_value(v) for k, v in value.items())
    return False


def _encode_item(item: Any) -> Any:
    """A buffered item as JSON data: ``{"value": x}`` for plain JSON values, else its class and ``to_dict()``."""
    if hasattr(item, "to_dict") and hasattr(type(item), "from_dict"):
        cls = type(item)
        return {"class": f"{cls.__module__}:{cls.__qualname__}", "dict": item.to_dict()}
    if _is_json_value(item):
        return {"value": item}
    raise NotCheckpointableError(
        f"a shuffle buffer holds a {type(item).__name__}, which has neither to_dict()/"
        f"from_dict() nor a JSON form; its state cannot be saved"
    )


def _decode_item(data: Dict[str, Any]) -> Any:
    if "value" in data:
        return data["value"]
    module, _, qualname = data["class"].partition(":")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    return cls.from_dict(data["dict"])


def _rng_state_to_json(state: Any) -> List[Any]:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _rng_state_from_json(data: List[Any]) -> Any:
    version, internal, gauss = data
    return (version, tuple(internal), gauss)
