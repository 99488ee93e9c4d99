"""Save and restore where a lazy pipeline stands (Lhotse 2.0's ``lhotse.checkpoint`` names).

:func:`collect_state_dict` returns the state of a whole lazy iterator graph (a lazy set or its root
node) as JSON-serialisable data; :func:`restore_state_dict` loads it into an equal graph built anew
(in another process, after a restart), whose next pass then continues with exactly the items the
interrupted pass would have produced. The layout is Lhotse 2.0's: ``{"_type": root class name,
"_state": root.state_dict()}``, where each node's state nests its sources' states (see
:mod:`lhotse_lite.manifest.lazy` for what each node saves). Resuming costs O(1) for indexed sources
(:mod:`lhotse_lite.manifest.indexed`) and a re-read of the skipped lines for plain JSONL files.

A graph holding something that cannot save its position (a one-shot iterator, a node of another
library) is refused with :class:`~lhotse_lite.errors.NotCheckpointableError` naming it: a state is
never silently empty.

Example:
    >>> import json
    >>> from lhotse_lite.manifest.lazy import LazyFilter, LazyRepeater
    >>> def graph():
    ...     return LazyRepeater(LazyFilter(range(10), lambda x: x % 3), times=2)
    >>> first = graph(); it = iter(first); [next(it) for _ in range(8)]
    [1, 2, 4, 5, 7, 8, 1, 2]
    >>> saved = json.dumps(collect_state_dict(first))
    >>> second = graph(); restore_state_dict(second, json.loads(saved)); list(second)
    [4, 5, 7, 8]
"""

from __future__ import annotations

from typing import Any, Dict

from lhotse_lite.errors import ManifestArgumentError, NotCheckpointableError
from lhotse_lite.manifest.nodes import IteratorNode, load_persistent_states, persistent_states

__all__ = ["collect_state_dict", "restore_state_dict"]


def _node_of(root: Any) -> IteratorNode:
    from lhotse_lite.manifest.set import ManifestSet

    if isinstance(root, ManifestSet):
        if not root.is_lazy:
            raise NotCheckpointableError(
                f"an eager {type(root).__name__} has no lazy pass to checkpoint; iterate a lazy view of it "
                f"(e.g. {type(root).__name__}.from_jsonl_lazy(path), or root.repeat(1)) instead"
            )
        root = root.data
    if not isinstance(root, IteratorNode):
        raise NotCheckpointableError(
            f"{type(root).__name__} is not a lazy iterator node (lhotse_lite.lazy.IteratorNode); only lazy sets and "
            f"their nodes can be checkpointed"
        )
    return root


def collect_state_dict(root: Any) -> Dict[str, Any]:
    """The state of the graph below ``root`` (a lazy set or an :class:`IteratorNode`), JSON-serialisable.

    Raises:
        NotCheckpointableError: ``root``, or a source below it, cannot save its position (the message
            names it).

    Example:
        See the module docstring.
    """
    node = _node_of(root)
    state: Dict[str, Any] = {"_type": type(node).__name__, "_state": node.state_dict()}
    # what nodes carry from pass to pass (a shuffled chain's pass count), also for those no pass holds open
    persistent = persistent_states(node)
    if persistent:
        state["_persistent"] = persistent
    return state


def restore_state_dict(root: Any, state: Dict[str, Any]) -> None:
    """Make the next pass of ``root`` continue from ``state`` (a :func:`collect_state_dict` of an equal graph).

    Raises:
        ManifestArgumentError: ``state`` was saved from a root of another type.
        NotCheckpointableError: ``root`` cannot restore a position.

    Example:
        See the module docstring.
    """
    node = _node_of(root)
    saved = state.get("_type")
    if saved is not None and saved != type(node).__name__:
        raise ManifestArgumentError(
            f"the state was saved from a {saved} but is restored into a "
            f"{type(node).__name__}; rebuild the same pipeline before restoring"
        )
    load_persistent_states(node, state.get("_persistent", []))
    node.load_state_dict(state["_state"])
