"""The reference comparisons run on one intra-op thread (tiny models on a shared machine: more threads only
contend). The reference code itself is fetched and loaded by ``reference_code.py``."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
