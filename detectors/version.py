"""Version of the detectors package; every Finding carries it."""

__all__ = ["__version__"]

__version__ = "0.1.0"
