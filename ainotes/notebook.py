"""Small helpers for the chapter notebooks themselves."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["glue", "in_colab"]


def in_colab() -> bool:
    """Whether the code runs in Google Colab."""
    return "google.colab" in sys.modules


def _plain_number(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds; anything else unchanged."""
    item = getattr(value, "item", None)
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0 and item is not None:
        return item()
    return value


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` so the book's prose can quote it (``{glue:text}`name```).

    This is ``myst_nb.glue`` when myst-nb is installed (building the book). Elsewhere, as in
    Colab, there is no book to feed: the value is shown if ``display`` is true, else nothing.
    NumPy scalars are stored as Python numbers, so the page shows ``99.4``, not
    ``np.float64(99.4)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ainotes.notebook import _plain_number
    >>> _plain_number(np.float64(99.5)), _plain_number(np.int64(3)), _plain_number("text")
    (99.5, 3, 'text')
    """
    value = _plain_number(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
