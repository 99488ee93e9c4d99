"""Lhotse's recipe helpers (``lhotse.recipes.utils``): find and read the manifests a recipe wrote before.

A recipe writes ``<output_dir>/<prefix>_<type>_<part>.<suffix>`` (``librispeech_recordings_dev-clean.jsonl.gz``);
:func:`manifests_exist` says whether all of a part's files are there and :func:`read_manifests_if_cached`
reads those that are, so a re-run skips the parts already prepared. :class:`TimeFormatConverter`
converts ``HH:MM:SS.mmm`` timestamps.

Example:
    >>> import tempfile
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> out = tempfile.mkdtemp()
    >>> SupervisionSet([SupervisionSegment("s", "r", 0, 1)]).to_file(f"{out}/toy_supervisions_dev.jsonl.gz")
    >>> manifests_exist("dev", out, prefix="toy"), manifests_exist("dev", out, ["supervisions"], prefix="toy")
    (False, True)
    >>> {part: sorted(found) for part, found in read_manifests_if_cached(["dev", "test"], out, "toy").items()}
    {'dev': ['supervisions']}
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, Optional, Sequence, Type, Union

from lhotse_lite import remote
from lhotse_lite.audio import RecordingSet
from lhotse_lite.errors import NotStreamableError, UnknownNameError
from lhotse_lite.features.manifest import FeatureSet
from lhotse_lite.manifest.formats import Pathlike
from lhotse_lite.serialization import load_manifest
from lhotse_lite.supervision import SupervisionSet

__all__ = [
    "DEFAULT_DETECTED_MANIFEST_TYPES",
    "TYPES_TO_CLASSES",
    "read_manifests_if_cached",
    "manifests_exist",
    "TimeFormatConverter",
]

DEFAULT_DETECTED_MANIFEST_TYPES = ("recordings", "supervisions")
"""The manifest types looked for by default."""

Manifest = Union[RecordingSet, SupervisionSet, FeatureSet]

TYPES_TO_CLASSES: Dict[str, Type[Manifest]] = {
    "recordings": RecordingSet,
    "supervisions": SupervisionSet,
    "features": FeatureSet,
}
"""The manifest types a recipe writes, and their set classes (Lhotse's also has ``cuts``)."""


def _affixes(prefix: str, suffix: str) -> tuple:
    """Lhotse's file-name rules: an underscore after a non-empty prefix, no dot before the suffix."""
    if prefix and not prefix.endswith("_"):
        prefix = f"{prefix}_"
    return prefix, suffix[1:] if suffix.startswith(".") else suffix


def _check_types(types: Iterable[str]) -> list:
    types = list(types)
    for name in types:
        if name not in TYPES_TO_CLASSES:
            hint = " (cuts are not part of lhotse_lite)" if name == "cuts" else ""
            raise UnknownNameError(f"unknown manifest type {name!r}{hint}; the types are {sorted(TYPES_TO_CLASSES)}")
    return types


def read_manifests_if_cached(
    dataset_parts: Optional[Sequence[str]],
    output_dir: Optional[Pathlike],
    prefix: str = "",
    suffix: Optional[str] = "jsonl.gz",
    types: Iterable[str] = DEFAULT_DETECTED_MANIFEST_TYPES,
    lazy: bool = False,
) -> Optional[Dict[str, Dict[str, Manifest]]]:
    """Reads the manifests of ``dataset_parts`` that exist in ``output_dir`` (those missing are skipped).

    Files are ``output_dir / f"{prefix}_{type}_{part}.{suffix}"`` (no underscore when ``prefix`` is
    empty or ends with one).

    Args:
        dataset_parts: Part names (``["dev-clean", "test-clean"]``), or one name.
        output_dir: Where to look; ``None`` returns ``None``.
        prefix: The corpus prefix of the file names.
        suffix: The file extension (``"jsonl.gz"``; a leading dot is ignored).
        types: Which manifest types to look for (``recordings``, ``supervisions``, ``features``).
        lazy: Open the files lazily (JSONL only).

    Returns:
        ``{part: {type: manifest}}`` for the files found (parts without any are left out; ``{}`` when
        nothing is found), or ``None`` when ``output_dir`` is ``None``.

    Raises:
        NotStreamableError: ``lazy`` with a suffix that is not JSONL (a ``ValueError``, as Lhotse's).
        UnknownNameError: A type that is not a manifest type of lhotse_lite (a ``KeyError``).

    Example:
        >>> read_manifests_if_cached(["dev"], None) is None
        True
    """
    if output_dir is None:
        return None
    if isinstance(dataset_parts, str):
        dataset_parts = [dataset_parts]
    prefix, suffix = _affixes(prefix, suffix or "")
    if lazy and not suffix.startswith("jsonl"):
        raise NotStreamableError(
            f"read_manifests_if_cached: only JSONL manifests can be opened lazily, got suffix "
            f"{suffix!r}; pass lazy=False or suffix='jsonl.gz'"
        )
    types = _check_types(types)
    manifests: Dict[str, Dict[str, Manifest]] = defaultdict(dict)
    for part in dataset_parts or ():
        for name in types:
            path = output_file(output_dir, f"{prefix}{name}_{part}.{suffix}")
            if not _is_file(path):
                continue
            if lazy:
                manifests[part][name] = TYPES_TO_CLASSES[name].from_jsonl_lazy(path)
            else:
                manifests[part][name] = load_manifest(path)
    return dict(manifests)


def manifests_exist(
    part: str,
    output_dir: Optional[Pathlike],
    types: Iterable[str] = DEFAULT_DETECTED_MANIFEST_TYPES,
    prefix: str = "",
    suffix: str = "jsonl.gz",
) -> bool:
    """Whether every manifest of ``types`` for ``part`` exists in ``output_dir`` (file names as
    :func:`read_manifests_if_cached`); ``False`` when ``output_dir`` is ``None``.

    Raises:
        UnknownNameError: A type that is not a manifest type of lhotse_lite.

    Example:
        >>> manifests_exist("dev", None)
        False
    """
    if output_dir is None:
        return False
    prefix, suffix = _affixes(prefix, suffix)
    return all(_is_file(output_file(output_dir, f"{prefix}{name}_{part}.{suffix}")) for name in _check_types(types))


def output_file(output_dir: Pathlike, name: str) -> Union[Path, str]:
    """The file ``name`` in a recipe's output folder: a ``Path``, or a URL string for a URL folder.

    (``Path("s3://bucket/x")`` would be the local folder ``s3:/bucket/x``.)

    Example:
        >>> output_file("s3://bucket/out/", "a.jsonl.gz"), output_file("out", "a.jsonl.gz")
        ('s3://bucket/out/a.jsonl.gz', PosixPath('out/a.jsonl.gz'))
    """
    if remote.is_url(output_dir):
        return f"{str(output_dir).rstrip('/')}/{name}"
    return Path(output_dir) / name


def _is_file(path: Union[Path, str]) -> bool:
    return remote.exists(path) if isinstance(path, str) else path.is_file()


class TimeFormatConverter:
    """Converts between seconds and ``HH:MM:SS.mmm`` timestamps.

    Example:
        >>> TimeFormatConverter.hms_to_seconds("01:02:03.500")
        3723.5
        >>> TimeFormatConverter.seconds_to_hms(3723.5)
        '01:02:03.500'
    """

    @staticmethod
    def hms_to_seconds(time: str) -> float:
        """``"H:M:S"`` (seconds may have a fraction) -> seconds."""
        hours, minutes, seconds = time.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)

    @staticmethod
    def seconds_to_hms(time: float) -> str:
        """Seconds -> ``"HH:MM:SS.mmm"``."""
        hours, rest = divmod(time, 3600)
        return f"{int(hours):02d}:{int(rest // 60):02d}:{rest % 60:06.3f}"
