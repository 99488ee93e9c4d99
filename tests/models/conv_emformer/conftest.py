"""Fixtures of the ConvEmformer tests."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Run on one thread: the models here are tiny, and on a shared machine thread spin costs 50x."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
