"""Sphinx configuration for the lhotse_lite documentation (built with -W: warnings are errors)."""

import os
import sys

import lhotse_lite

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_ext"))

project = "lhotse_lite"
author = "the lhotse_lite developers"
release = lhotse_lite.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "click_cli",
]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
suppress_warnings = ["ref.python"]  # dataclass fields and torch types are not cross-referenced
nitpicky = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
