"""graphfraud: find and investigate collusive fraud rings in a marketplace graph."""

__version__ = "0.1.0"
