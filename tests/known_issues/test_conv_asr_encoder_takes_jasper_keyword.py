"""``ConvASREncoder`` takes NeMo's block list keyword ``jasper=`` (and ``quantize=``); only our ``blocks=`` worked,
so ``ConvASREncoder(**cfg.encoder)`` with a NeMo encoder config failed with ``TypeError``."""

import pytest
import torch

from lhotse_lite.models.matchbox import ConvASREncoder
from tests.reference.reference_code import nemo

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

NEMO_ENCODER_CONFIG = dict(
    feat_in=8,
    activation="relu",
    conv_mask=True,
    normalization_mode="batch",
    residual_mode="add",
    norm_groups=-1,
    frame_splicing=1,
    init_mode="xavier_uniform",
    quantize=False,
    jasper=[
        dict(
            filters=16,
            repeat=1,
            kernel=[5],
            stride=[1],
            dilation=[1],
            dropout=0.0,
            residual=False,
            separable=True,
            se=True,
            se_context_size=-1,
            se_interpolation_mode="nearest",
            kernel_size_factor=1.0,
            future_context=-1,
        ),
        dict(filters=16, repeat=2, kernel=[7], stride=[1], dilation=[1], dropout=0.0, residual=True, separable=True),
    ],
)


def test_a_nemo_encoder_config_builds_both_encoders_alike():
    torch.manual_seed(0)
    reference = nemo().conv_asr.ConvASREncoder(**NEMO_ENCODER_CONFIG).eval()
    ours = ConvASREncoder(**NEMO_ENCODER_CONFIG).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    x, lengths = torch.randn(2, 8, 15), torch.tensor([15, 8])
    with torch.no_grad():
        torch.testing.assert_close(ours(x, lengths)[0], reference(x, lengths)[0], rtol=0.0, atol=1e-5)
