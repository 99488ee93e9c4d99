"""Audio: where samples come from (:class:`AudioSource`), recordings and their sets, loading, transforms.

The names are Lhotse 1.33's ``lhotse.audio`` names (the audio-backend selection excepted: there is one
backend, libsndfile; see :mod:`lhotse_lite.audio.backend`). Nothing here imports torch. Resampling and
speed perturbation use soxr; tempo perturbation is a numpy WSOLA (:mod:`lhotse_lite.audio.wsola`).

Example:
    >>> from lhotse_lite.audio import AudioSource, Recording
    >>> rec = Recording(id="r1", sources=[AudioSource(type="file", channels=[0], source="r1.wav")],
    ...                 sampling_rate=16000, num_samples=16000, duration=1.0)
    >>> rec.perturb_tempo(0.9).to_dict()["transforms"]
    [{'name': 'Tempo', 'kwargs': {'factor': 0.9}}]
"""

from lhotse_lite.audio.backend import info, read_audio, save_audio
from lhotse_lite.audio.command_guard import (
    command_sources_allowed,
    set_command_sources_allowed,
    set_url_sources_allowed,
    url_sources_allowed,
)
from lhotse_lite.audio.recording import Recording
from lhotse_lite.audio.recording_set import RecordingSet
from lhotse_lite.audio.source import AudioSource, set_url_size_limit, url_size_limit
from lhotse_lite.audio.suppression import null_result_on_audio_loading_error, suppress_audio_loading_errors
from lhotse_lite.audio.tolerance import (
    get_audio_duration_mismatch_tolerance,
    set_audio_duration_mismatch_tolerance,
)
from lhotse_lite.audio.transforms import AudioTransform, Resample, Speed, Tempo, Volume
from lhotse_lite.errors import AudioLoadingError, DurationMismatchError

__all__ = [
    "AudioSource",
    "Recording",
    "RecordingSet",
    "AudioLoadingError",
    "DurationMismatchError",
    "info",
    "read_audio",
    "save_audio",
    "null_result_on_audio_loading_error",
    "suppress_audio_loading_errors",
    "AudioTransform",
    "Resample",
    "Speed",
    "Tempo",
    "Volume",
    "get_audio_duration_mismatch_tolerance",
    "set_audio_duration_mismatch_tolerance",
    "command_sources_allowed",
    "set_command_sources_allowed",
    "url_sources_allowed",
    "set_url_sources_allowed",
    "url_size_limit",
    "set_url_size_limit",
]
