"""The Kaldi layers' constructors are Lhotse 1.33's: parameter names, order, kinds and defaults."""

from __future__ import annotations

import inspect

import pytest

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
import lhotse.features.kaldi.layers as lhotse_layers  # noqa: E402

import lhotse_lite.features.kaldi.layers as our_layers  # noqa: E402

LAYERS = ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"]


def _parameters(cls):
    return [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()]


@pytest.mark.parametrize("name", LAYERS)
def test_constructor_signature_is_lhotses(name):
    assert _parameters(getattr(our_layers, name)) == _parameters(getattr(lhotse_layers, name))


@pytest.mark.parametrize("name", LAYERS)
def test_positional_arguments_reach_the_same_options(name):
    # Lhotse's own defaults, passed positionally in Lhotse's order with the framing ones changed.
    params = _parameters(getattr(lhotse_layers, name))[1:]
    changed = {
        "sampling_rate": 8000,
        "frame_length": 0.05,
        "frame_shift": 0.02,
        "preemph_coeff": 0.5,
        "window_type": "hamming",
        "snip_edges": True,
        "energy_floor": 0.0,
        "raw_energy": False,
    }
    values = [changed.get(p, default) for p, _, default in params]
    layer = getattr(our_layers, name)(*values)
    for field, value in changed.items():
        assert getattr(layer.options, field) == value and getattr(layer, field) == value
