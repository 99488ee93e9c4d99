"""Storage backends for feature matrices (see :mod:`lhotse_lite.features.io` for the public names)."""
