"""Helpers for tests of code that uses lhotse_lite (Lhotse's ``lhotse.testing``).

:mod:`lhotse_lite.testing.dummies` builds small recordings, supervisions and features with Lhotse's
function names and values. Importing this package imports no test framework and does not import torch.
"""
