"""Corpus recipes: one script per corpus, each turning a corpus on disk into Lhotse-style manifests.

Every recipe is importable (``from recipes.librispeech import prepare_librispeech``) and runnable
(``python recipes/librispeech.py CORPUS_DIR OUTPUT_DIR``). A ``prepare_<corpus>(corpus_dir,
output_dir=None, ...)`` function returns ``{split: {"recordings": RecordingSet, "supervisions":
SupervisionSet}}`` and, given ``output_dir``, writes ``<corpus>_recordings_<split>.jsonl.gz`` and
``<corpus>_supervisions_<split>.jsonl.gz`` after validating them. Importing this package imports
no recipe.

Example:
    >>> sorted(RECIPES)
    ['audio_folder', 'librispeech', 'speech_commands', 'voxconverse', 'yesno']
"""

from typing import Dict

__all__ = ["RECIPES"]

RECIPES: Dict[str, str] = {
    "audio_folder": "recipes.audio_folder:prepare_audio_folder",
    "librispeech": "recipes.librispeech:prepare_librispeech",
    "speech_commands": "recipes.speech_commands:prepare_speech_commands",
    "voxconverse": "recipes.voxconverse:prepare_voxconverse",
    "yesno": "recipes.yesno:prepare_yesno",
}
"""Recipe name -> ``module:function`` of its prepare function."""
