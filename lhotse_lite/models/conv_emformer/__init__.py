"""ConvEmformer, the convolution-augmented streaming transformer (Shi et al. 2022), as in torchaudio.

Modules, one concept each:

* :mod:`~lhotse_lite.models.conv_emformer.model`: :class:`ConvEmformer` (``forward`` and streaming
  ``infer``) and the weight-init strategies;
* :mod:`~lhotse_lite.models.conv_emformer.layer`: one layer (macaron feed-forwards, attention,
  convolution);
* :mod:`~lhotse_lite.models.conv_emformer.attention`: Emformer attention with memory and left context;
* :mod:`~lhotse_lite.models.conv_emformer.conv_module`: the causal, cached depthwise-convolution module;
* :mod:`~lhotse_lite.models.conv_emformer.masks`: right-context blocks, segment summaries, masks;
* :mod:`~lhotse_lite.models.conv_emformer.state`: :class:`ConvEmformerLayerState`, the per-layer
  streaming state.

Example:
    >>> import torch
    >>> from lhotse_lite.models.conv_emformer import ConvEmformer
    >>> model = ConvEmformer(16, 2, 32, 2, segment_length=4, kernel_size=3, right_context_length=1).eval()
    >>> x = torch.rand(1, 9, 16)  # two segments of 4 frames + 1 right-context frame
    >>> full, _ = model(x, torch.tensor([8]))
    >>> first, _, states = model.infer(x[:, 0:5], torch.tensor([5]))
    >>> second, _, states = model.infer(x[:, 4:9], torch.tensor([5]), states)
    >>> torch.allclose(torch.cat([first, second], dim=1), full, atol=1e-5)
    True
"""

from lhotse_lite.models.conv_emformer.model import ConvEmformer, weight_init_gains
from lhotse_lite.models.conv_emformer.state import ConvEmformerLayerState, init_state

__all__ = ["ConvEmformer", "ConvEmformerLayerState", "init_state", "weight_init_gains"]
