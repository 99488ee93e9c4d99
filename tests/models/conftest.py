"""Fixtures shared by every model test (MatchboxNet, ConvEmformer, wav2vec 2.0)."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Run on one intra-op thread: the models here are tiny, and on a shared, loaded machine
    OpenMP threads only contend (thread spin costs up to 50x)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
