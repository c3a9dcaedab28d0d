"""Small helpers for the chapter notebooks themselves."""

from __future__ import annotations

import sys
from typing import Any

from ainotes.arguments import _kind, flag

__all__ = ["figure_alt", "glue", "in_colab", "show_figure"]


def in_colab() -> bool:
    """Whether the code runs in Google Colab.

    Examples
    --------
    >>> from ainotes.notebook import in_colab
    >>> in_colab()  # Colab's kernel imports google.colab; this one does not
    False
    """
    return "google.colab" in sys.modules


def _plain_number(value: Any) -> Any:
    """A NumPy scalar or a one-number tensor as the Python number it holds; anything else unchanged."""
    item = getattr(value, "item", None)
    if type(value).__module__ in ("numpy", "torch") and getattr(value, "ndim", None) == 0 and item is not None:
        return item()
    return value


def _figure(fig: Any) -> Any:
    """``fig`` if it is a matplotlib Figure, or a clear error (an Axes or a ``plt.subplots()`` pair is a common slip)."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(fig, Figure):
        return fig
    if isinstance(fig, Axes):
        raise TypeError("fig must be a matplotlib Figure, got an Axes: give its figure, ax.figure.")
    if isinstance(fig, tuple) and fig and isinstance(fig[0], Figure):
        raise TypeError("fig must be a matplotlib Figure, got a tuple: plt.subplots() gives (fig, ax), so use "
                        "fig, ax = plt.subplots() and pass fig.")  # fmt: skip
    raise TypeError(f"fig must be a matplotlib Figure, got {_kind(fig)}: e.g. fig = plt.figure().")


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` so the book's prose can quote it (``{glue:text}`name```).

    This is ``myst_nb.glue`` when myst-nb is installed (building the book). Elsewhere, as in
    Colab, there is no book to feed: the value is shown if ``display`` is true, else nothing.
    NumPy scalars and one-number tensors are stored as Python numbers, so the page shows ``99.4``,
    not ``np.float64(99.4)`` or ``tensor(99.4000)``. ``name`` must be a non-empty string.

    Examples
    --------
    >>> import numpy as np
    >>> from ainotes.notebook import _plain_number
    >>> _plain_number(np.float64(99.5)), _plain_number(np.int64(3)), _plain_number("text")
    (99.5, 3, 'text')
    """
    if not isinstance(name, str):
        raise TypeError(f'name must be a string, got {name!r} ({type(name).__name__}): e.g. glue("accuracy", value).')
    if not name.strip():
        raise ValueError(f'name={name!r} is empty: give the name that the text quotes, e.g. glue("accuracy", value).')
    display = flag(display, "display")
    if getattr(value, "is_meta", False) is True:  # a tensor on the 'meta' device: a shape, no number to show
        raise ValueError(f"value is a tensor on the 'meta' device, which holds no numbers: glue a tensor that was "
                         f"computed, e.g. on the CPU (got shape {tuple(value.shape)}).")  # fmt: skip
    value = _plain_number(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)


def figure_alt(fig: Any) -> str:
    r"""A text alternative for a matplotlib figure, made of its title and its panels' titles (one line each).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(1, 2)
    >>> _ = fig.suptitle("Two panels")
    >>> _ = axes[0].set_title("input 28×28")
    >>> _ = axes[1].set_title("feature map\n26×26")
    >>> figure_alt(fig)
    'Two panels. Panels: input 28×28; feature map 26×26.'
    >>> plt.close(fig)
    """
    fig = _figure(fig)
    title = fig._suptitle.get_text().strip() if fig._suptitle is not None else ""
    panels = [" ".join(ax.get_title().split()) for ax in fig.axes if ax.get_title().strip()]
    text = ". ".join(part for part in (title, f"Panels: {'; '.join(panels)}" if panels else "") if part)
    return (text + ".") if text else "A figure (its panels have no titles)."


def show_figure(fig: Any) -> None:
    """Display a matplotlib figure as a PNG whose output carries an alt text (:func:`figure_alt`).

    What ``display(fig)`` shows, plus a text alternative in the output's metadata, which the
    book's website gives to the image that a widget draws (a screen reader reads it). The
    explorers call it inside their ``Output`` widget.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("loss")
    >>> show_figure(fig)  # doctest: +ELLIPSIS
    <IPython.core.display.Image object>
    >>> plt.close(fig)
    """
    from io import BytesIO

    from IPython.display import Image, display

    fig = _figure(fig)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    display(Image(data=buffer.getvalue(), format="png", metadata={"alt": figure_alt(fig)}))
