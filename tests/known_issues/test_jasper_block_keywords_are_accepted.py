"""``ConvBlock`` accepts every keyword of NeMo 3.0.0's ``JasperBlock`` (it raised ``TypeError`` for ``se``,
``se_reduction_ratio``, ``se_context_window``, ``se_interpolation_mode``, ``future_context``, ``quantize`` and
``layer_idx`` even at their off values), and builds what NeMo builds when they are on.
"""

import pytest
import torch

from lhotse_lite.models.matchbox import ConvBlock
from tests.reference.reference_code import nemo

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

OFF = dict(
    se=False,
    se_reduction_ratio=16,
    se_context_window=-1,
    se_interpolation_mode="nearest",
    future_context=-1,
    quantize=False,
    layer_idx=-1,
)
ON = dict(
    se=True, se_reduction_ratio=4, se_context_window=5, se_interpolation_mode="nearest", future_context=2, layer_idx=0
)


@pytest.mark.parametrize("keywords", [OFF, ON], ids=["off", "on"])
def test_nemo_keywords_build_nemos_block(keywords):
    common = dict(repeat=2, kernel_size=[7], stride=[1], dilation=[1], dropout=0.0, separable=True, conv_mask=True)
    torch.manual_seed(0)
    reference = nemo().jasper.JasperBlock(16, 16, **common, **keywords).eval()
    ours = ConvBlock(16, 16, **common, **keywords).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    x, lengths = torch.randn(2, 16, 20), torch.tensor([20, 9])
    with torch.no_grad():
        torch.testing.assert_close(ours(([x], lengths))[0][0], reference(([x], lengths))[0][0], rtol=0.0, atol=1e-5)
