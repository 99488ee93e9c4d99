"""Every sampling-rate mismatch reads the same way: whose audio, both rates, who expects which, the fix."""

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.errors import AudioLoadingError, ConfigError
from lhotse_lite.features.builder import FeatureSetBuilder
from lhotse_lite.features.io import MemoryNpyWriter
from lhotse_lite.features.kaldi.extractors import Fbank, Mfcc


def _wav(tmp_path, rate):
    path = str(tmp_path / f"a{rate}.wav")
    sf.write(path, np.zeros(rate // 2, np.float32), rate)
    return path


def test_builder_names_the_recording_both_rates_and_the_fix(tmp_path):
    recording = Recording.from_file(_wav(tmp_path, 8000), recording_id="rec8k")
    with pytest.raises(ConfigError) as info:
        FeatureSetBuilder(Fbank(), MemoryNpyWriter()).process_and_store_recordings([recording], progress_bar=False)
    assert str(info.value) == (
        "recording 'rec8k' has sampling rate 8000 Hz but the kaldi-fbank extractor expects 16000 Hz; resample the "
        "recordings (RecordingSet.resample(16000)) or configure the extractor with sampling_rate=8000"
    )


@pytest.mark.parametrize("extractor", [Fbank(), Mfcc()])
def test_extract_and_extract_batch_refuse_another_rate(extractor):
    for call in (extractor.extract, extractor.extract_batch):
        with pytest.raises(
            ConfigError,
            match=r"^the audio given to \w+ has sampling rate 22050 Hz but the kaldi-\w+ "
            r"extractor expects 16000 Hz; resample",
        ):
            call(np.zeros(22050, np.float32), 22050)


def test_loading_names_the_recording_the_source_and_both_rates(tmp_path):
    path = _wav(tmp_path, 8000)
    recording = Recording("r", [AudioSource("file", [0], path)], 16000, 8000, 0.5)
    with pytest.raises(
        AudioLoadingError,
        match=r"^recording 'r': AudioSource\(.*\) has sampling rate 8000 Hz but the "
        r"manifest expects 16000 Hz; recreate the manifest",
    ):
        recording.load_audio()
