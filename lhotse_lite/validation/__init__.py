"""Cross-checks of recordings, supervisions and features manifests, reporting every problem at once.

:func:`validate_manifests` never stops at the first problem: it walks each manifest once (lazy
manifests stay lazy) and returns a list of :class:`Problem` records, each naming the manifest, the
item id, what is wrong and, for items read from files, ``file:line``. An empty list means the
manifests are consistent. :func:`check_manifest_files` (behind ``lite manifest validate``) reads
files to their end whatever they hold, so every malformed line is reported too, and lists the
``command`` and ``url`` audio sources it saw.

Checks:

* recordings: positive sampling rate and duration, ``num_samples`` agrees with ``duration``, at
  least one channel, every channel id provided by a source, ``file`` sources exist on disk;
* supervisions: non-negative start and duration, the recording exists, the segment lies inside
  it (within ``tolerance`` seconds) on one of its channels;
* features: the recording exists, the time span lies inside it, the sampling rate matches, the
  frame count agrees with the duration, file-based storage exists, and every row of one manifest
  has the feature type and dimension of its first row;
* every manifest: ids are unique (a duplicate names where the first one is);
* with ``read_data``: every audio source decodes, with the declared channels and sampling rate
  and within ``tolerance`` seconds of ``num_samples``; every feature matrix loads with the declared
  shape and finite values (:mod:`lhotse_lite.validation.data`). Without it, audio contents are not
  checked.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments([SupervisionSegment("s1", "missing", 0.0, 1.0)])
    >>> [p.message for p in validate_manifests(supervisions=sups, recordings=[])]
    ["recording 'missing' is not in the recordings manifest"]
"""

from lhotse_lite.validation.files import (
    MANIFEST_KINDS,
    CommandSource,
    UrlSource,
    ValidationReport,
    check_manifest_files,
    read_items_reporting,
    validate_manifest_files,
)
from lhotse_lite.validation.items import DEFAULT_TOLERANCE, Problem, validate_manifests

__all__ = [
    "Problem",
    "CommandSource",
    "UrlSource",
    "ValidationReport",
    "validate_manifests",
    "validate_manifest_files",
    "check_manifest_files",
    "read_items_reporting",
    "DEFAULT_TOLERANCE",
    "MANIFEST_KINDS",
]
