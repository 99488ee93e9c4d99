"""The audio package, its transforms included, never imports torch."""

import subprocess
import sys

CODE = """
import sys, numpy as np, soundfile as sf, tempfile, os
from lhotse_lite.audio import Recording, RecordingSet
path = os.path.join(tempfile.mkdtemp(), "a.wav")
sf.write(path, np.zeros(1600, np.float32), 16000)
rec = Recording.from_file(path)
for r in [rec.resample(8000), rec.perturb_speed(1.1), rec.perturb_tempo(0.9), rec.perturb_volume(2.0)]:
    r.load_audio()
RecordingSet.from_recordings([rec]).perturb_speed(0.9)
print("torch" in sys.modules)
"""


def test_audio_does_not_import_torch():
    out = subprocess.run([sys.executable, "-c", CODE], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
