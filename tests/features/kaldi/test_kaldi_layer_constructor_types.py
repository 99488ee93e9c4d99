"""Type checkers see each Kaldi layer's constructor parameters (Lhotse's), as the runtime signature does."""

import inspect
import textwrap

import pytest

from lhotse_lite.features.kaldi import layers

api = pytest.importorskip("mypy.api", reason="mypy (the test extra) checks the types")

LAYERS = ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"]


@pytest.mark.slow
def test_mypy_sees_the_constructor_parameters(tmp_path):
    source = "from lhotse_lite.features.kaldi.layers import " + ", ".join(LAYERS) + "\n"
    source += "".join(f"reveal_type({name})\n" for name in LAYERS)
    source += textwrap.dedent(
        """
        Wav2Win(16000, 0.025)
        Wav2LogFilterBank(num_filters=40, use_energy=True)
        Wav2LogFilterBank(num_filterz=40)
        Wav2MFCC(sampling_rate="16k")
        """
    )
    snippet = tmp_path / "snippet.py"
    snippet.write_text(source)
    out, _, _ = api.run(["--python-version", "3.10", "--cache-dir", str(tmp_path / "cache"), str(snippet)])
    revealed = [line for line in out.splitlines() if "Revealed type is" in line]
    errors = [line for line in out.splitlines() if ": error:" in line]
    for name, line in zip(LAYERS, revealed):
        names = list(inspect.signature(getattr(layers, name)).parameters)
        assert [p.split(":")[0].strip() for p in line.split("def (")[1].split(") ->")[0].split(", ")] == names
    assert len(revealed) == len(LAYERS)
    assert len(errors) == 2, out
    assert 'Unexpected keyword argument "num_filterz" for "Wav2LogFilterBank"' in errors[0]
    assert 'incompatible type "str"; expected "int"' in errors[1]
