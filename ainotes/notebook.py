"""Small helpers for the chapter notebooks themselves."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["glue", "in_colab"]


def in_colab() -> bool:
    """Whether the code runs in Google Colab."""
    return "google.colab" in sys.modules


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` so the book's prose can quote it (``{glue:text}`name```).

    This is ``myst_nb.glue`` when myst-nb is installed (building the book). Elsewhere, as in
    Colab, there is no book to feed: the value is shown if ``display`` is true, else nothing.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
