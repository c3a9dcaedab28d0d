"""Helpers for the hands-on CNN book.

Every chapter imports what it needs from a submodule, for example::

    from ainotes.device import get_device
    from ainotes.data import fashion_mnist
    from ainotes.train import fit

Importing :mod:`ainotes` itself is cheap and changes nothing (no seeding, no plot theme).
"""

#: The version of the package (the same as in ``pyproject.toml``).
__version__ = "0.1.0"

__all__ = ["__version__"]
