"""Lhotse's ``lhotse.utils`` import path, for the helpers a data-preparation script uses.

This is **not** a catch-all module (the project has none): it only re-exports, from where each
concept lives, the names Lhotse scripts import from ``lhotse.utils``, so that the import can be
renamed and nothing else:

========================================================  ==========================================
names                                                     defined in
========================================================  ==========================================
``compute_num_samples``, ``compute_num_frames``,          :mod:`lhotse_lite.units` (seconds, samples
``time_diff_to_num_frames``, ``add_durations``,           and frames)
``Seconds``
``fastcopy``                                              :mod:`lhotse_lite.manifest.items`
``TimeSpan``, ``overlaps``, ``overspans``                 :mod:`lhotse_lite.manifest.timespan`
``Pathlike``                                              :mod:`lhotse_lite.types`
``uuid4``                                                 the standard library's :func:`uuid.uuid4`
========================================================  ==========================================

New code inside lhotse_lite imports from those modules, not from here.

Example:
    >>> from lhotse_lite.utils import TimeSpan, compute_num_samples, overspans
    >>> compute_num_samples(0.5, 16000), overspans(TimeSpan(0.0, 2.0), TimeSpan(0.5, 1.0))
    (8000, True)
"""

from uuid import uuid4

from lhotse_lite.manifest.items import fastcopy
from lhotse_lite.manifest.timespan import TimeSpan, overlaps, overspans
from lhotse_lite.types import Pathlike
from lhotse_lite.units import (
    Seconds,
    add_durations,
    compute_num_frames,
    compute_num_samples,
    time_diff_to_num_frames,
)

__all__ = [
    "fastcopy",
    "compute_num_samples",
    "compute_num_frames",
    "time_diff_to_num_frames",
    "Seconds",
    "Pathlike",
    "uuid4",
    "add_durations",
    "TimeSpan",
    "overlaps",
    "overspans",
]
