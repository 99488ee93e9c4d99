"""Fixtures for the MatchboxNet tests: one intra-op thread (tiny tensors, a shared loaded machine)."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _single_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
