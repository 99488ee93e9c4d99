"""NeMo's ``"identity"`` activation (in its ``jasper_activations``) is accepted by MatchboxNet blocks and
encoders; it was an unknown name."""

import torch
from torch import nn

from lhotse_lite.models.activations import make_activation
from lhotse_lite.models.matchbox import ConvASREncoder


def test_identity_builds_and_runs():
    assert type(make_activation("identity", "MatchboxNet")) is nn.Identity
    encoder = ConvASREncoder(activation="identity", feat_in=4, jasper=[{"filters": 8, "kernel": [3]}]).eval()
    assert isinstance(encoder.encoder[0].mout[0], nn.Identity)
    out, lengths = encoder(torch.randn(2, 4, 9), torch.tensor([9, 5]))
    assert out.shape == (2, 8, 9) and lengths.tolist() == [9, 5]
