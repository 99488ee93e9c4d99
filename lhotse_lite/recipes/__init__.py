"""Corpus recipes: download a corpus and turn it into Lhotse-style manifests, as ``lhotse.recipes`` does.

Each corpus has a module with Lhotse 1.33's function names and signatures: ``download_<corpus>``
where the corpus can be downloaded, and ``prepare_<corpus>``, which returns
``{split: {"recordings": RecordingSet, "supervisions": SupervisionSet}}`` and, given
``output_dir``, writes ``<corpus>_recordings_<split>.jsonl.gz`` and
``<corpus>_supervisions_<split>.jsonl.gz`` after validating them. The command line is
``lite download <corpus> ...`` and ``lite prepare <corpus> ...``.

The names below are imported lazily: importing this package imports no recipe, and no recipe
imports torch.

Example:
    >>> import lhotse_lite.recipes as recipes
    >>> recipes.prepare_yesno.__module__
    'lhotse_lite.recipes.yesno'
    >>> sorted(name for name in recipes.__all__ if name.startswith("download_"))
    ['download_librispeech', 'download_speechcommands', 'download_voxconverse', 'download_yesno']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from lhotse_lite.lazy_exports import lazy_exports

_EXPORTS: Dict[str, str] = {
    "download_librispeech": "lhotse_lite.recipes.librispeech",
    "prepare_librispeech": "lhotse_lite.recipes.librispeech",
    "download_speechcommands": "lhotse_lite.recipes.speechcommands",
    "prepare_speechcommands": "lhotse_lite.recipes.speechcommands",
    "download_voxconverse": "lhotse_lite.recipes.voxconverse",
    "prepare_voxconverse": "lhotse_lite.recipes.voxconverse",
    "download_yesno": "lhotse_lite.recipes.yesno",
    "prepare_yesno": "lhotse_lite.recipes.yesno",
    "prepare_audio_folder": "lhotse_lite.recipes.audio_folder",
}

if TYPE_CHECKING:  # the same names for type checkers (tests/test_public_api.py checks they match)
    from lhotse_lite.recipes.audio_folder import (
        prepare_audio_folder as prepare_audio_folder,
    )
    from lhotse_lite.recipes.librispeech import (
        download_librispeech as download_librispeech,
        prepare_librispeech as prepare_librispeech,
    )
    from lhotse_lite.recipes.speechcommands import (
        download_speechcommands as download_speechcommands,
        prepare_speechcommands as prepare_speechcommands,
    )
    from lhotse_lite.recipes.voxconverse import (
        download_voxconverse as download_voxconverse,
        prepare_voxconverse as prepare_voxconverse,
    )
    from lhotse_lite.recipes.yesno import (
        download_yesno as download_yesno,
        prepare_yesno as prepare_yesno,
    )

__all__: List[str] = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
