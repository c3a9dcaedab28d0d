"""Figures of convolutions: kernels and feature maps as heat maps (the animation is in :mod:`ainotes.convanim`).

:mod:`ainotes.plot` re-exports every public name here, so ``from ainotes.plot import show_kernels``
keeps working. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from ainotes.arguments import _kind, flag, real, whole

__all__ = ["draw_map", "show_feature_maps", "show_kernels"]


def number(value: float, spec: str = ".3g") -> str:
    """A value as a short label: formatted with ``spec``, with a real minus sign and no ``-0``.

    Examples
    --------
    >>> from ainotes.convplot import number
    >>> (
    ...     number(0.30000001),
    ...     number(-1.0),
    ...     number(2 / 3),
    ...     number(-0.0432, ".2f"),
    ...     number(-0.001, ".2f"),
    ... )
    ('0.3', '−1', '0.667', '−0.04', '0')
    """
    text = f"{float(value):{spec}}"
    if float(text) == 0:
        return "0"
    return text.replace("-", "−")


def _as_map(values: Any, name: str) -> np.ndarray:
    """``values`` as a float32 numpy array of finite numbers, not empty; a clear error otherwise."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be a tensor or an array of numbers, got {values!r} ({type(values).__name__}).")
    try:
        a = np.asarray(torch.as_tensor(values, dtype=torch.float32).detach().cpu())
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(f"{name} must be a tensor or an array of numbers; this {type(values).__name__} cannot be "
                        f"read as one ({error}).") from None  # fmt: skip
    if a.size == 0:
        raise ValueError(f"{name} has shape {a.shape}: it is empty, nothing to draw.")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} holds NaN or infinite values, which have no colour: check where they come from "
                         "(a training that diverged?).")  # fmt: skip
    return a


def _check_options(*, title: Any, fmt: Any, **flags: Any) -> None:
    """Refuse a title that is not a str, a format that cannot format a number, and flags that are not booleans."""
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {title!r} ({type(title).__name__}).")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string such as '.2f', got {fmt!r} ({type(fmt).__name__}).")
    try:
        f"{1.5:{fmt}}"
    except (TypeError, ValueError):
        raise ValueError(f"fmt={fmt!r} is not a format for numbers: use e.g. fmt='.2f' or fmt='.3g'.") from None
    for name, value in flags.items():
        flag(value, name)


def draw_map(
    ax: Axes,
    values: torch.Tensor | np.ndarray,
    *,
    title: str | None = None,
    symmetric: bool = True,
    annotate: bool = False,
    colorbar: bool = True,
    fontsize: float = 8,
    fmt: str = ".3g",
) -> AxesImage:
    """Draw one 2-D map (a kernel, a feature map, an image) on ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
    values : tensor or array (H, W)
    title : str, optional
    symmetric : bool
        True: a red/blue scale centred on zero, so the sign of each value shows (negative blue,
        positive red, zero white). False: grey levels from the minimum to the maximum.
    annotate : bool
        Write every value in its cell (formatted with ``fmt``, e.g. ``".2f"``, with a real minus
        sign), in white on dark cells, at ``fontsize``.
    colorbar : bool
        Add a colour bar next to ``ax``.

    Returns
    -------
    AxesImage
        The image artist.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, torch
    >>> from ainotes.convplot import draw_map
    >>> fig, ax = plt.subplots()
    >>> shown = draw_map(ax, torch.tensor([[1.0, -2.0]]), title="kernel", annotate=True)
    >>> shown.get_clim(), [t.get_text() for t in ax.texts]
    ((-2.0, 2.0), ['1', '−2'])
    """
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, e.g. from fig, ax = plt.subplots(); got {_kind(ax)}.")
    a = _as_map(values, "values")
    if a.ndim != 2:
        raise ValueError(f"A map must be 2-D (height, width), got shape {a.shape}; pick one channel first.")
    _check_options(title=title, fmt=fmt, symmetric=symmetric, annotate=annotate, colorbar=colorbar)
    real(fontsize, "fontsize", positive=True, example="fontsize=8")
    limit = float(np.abs(a).max()) or 1.0
    vmin, vmax = (-limit, limit) if symmetric else (float(a.min()), float(a.max()))
    shown = ax.imshow(a, cmap="RdBu_r" if symmetric else "gray", vmin=vmin, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title is not None:
        ax.set_title(title, fontsize=9)
    if annotate:
        middle = (vmin + vmax) / 2
        for (r, c), v in np.ndenumerate(a):
            dark = abs(v) > limit / 2 if symmetric else v < middle
            ax.text(c, r, number(v, fmt), ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else "black")  # fmt: skip
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    return shown


def _grid_of_maps(
    maps: torch.Tensor | Sequence,
    titles: Sequence[str] | None,
    *,
    ncols: int,
    size: float,
    symmetric: bool,
    annotate: bool,
    title: str | None,
    what: str,
    arg: str,
    shared: bool = False,
    fmt: str = ".3g",
) -> Figure:
    if isinstance(maps, (str, bytes)) or not isinstance(maps, (torch.Tensor, np.ndarray, Iterable)):
        raise TypeError(f"{arg} must be a tensor (N, H, W) or a list of 2-D {what}s, got {maps!r} "
                        f"({type(maps).__name__}).")  # fmt: skip
    shape = tuple(maps.shape) if isinstance(maps, (torch.Tensor, np.ndarray)) else None
    if shape is not None and len(shape) != 3 and 0 not in shape:
        fix = {2: f"; for one {what} give [{arg}]", 4: f"; pick one channel of each, e.g. {arg}[:, 0]"}
        raise ValueError(f"{arg} has shape {shape}: each {what} must be 2-D, so give (N, H, W)"
                         f"{fix.get(len(shape), '')}.")  # fmt: skip
    arrays = [_as_map(m, f"each of {arg}") for m in maps]
    if not arrays:
        raise ValueError(f"No {what}s to show: {arg} is empty, give at least one {what}.")
    for a in arrays:
        if a.ndim != 2:
            raise ValueError(f"Each {what} must be 2-D (height, width), got shape {a.shape}; pick one channel first.")
    if titles is not None and (isinstance(titles, str) or not isinstance(titles, Sequence)):
        raise TypeError(f"titles must be a list of str, one per {what}, got {titles!r} ({type(titles).__name__}).")
    if titles is not None and len(titles) != len(arrays):
        raise ValueError(f"{len(titles)} titles for {len(arrays)} {what}s: give one per {what}.")
    for i, text in enumerate(titles or ()):
        if text is not None and not isinstance(text, str):
            raise TypeError(f"titles[{i}]={text!r} ({type(text).__name__}) is not a str: give text, e.g. "
                            f"titles=[f'{what} {{i}}' for i in range({len(arrays)})].")  # fmt: skip
    ncols = whole(ncols, "ncols", least=1, example="ncols=4")
    real(size, "size", positive=True, example="size=2.0")
    _check_options(title=title, fmt=fmt, symmetric=symmetric, annotate=annotate, shared=shared)
    ncols = min(ncols, len(arrays))
    nrows = -(-len(arrays) // ncols)
    width = ncols * size * (1.0 if shared else 1.25) + (0.8 if shared else 0)  # room for one or many colour bars
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, nrows * size), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    shown = [draw_map(ax, a, title=None if titles is None else titles[i], symmetric=symmetric, annotate=annotate,
                      colorbar=not shared, fmt=fmt) for i, (ax, a) in enumerate(zip(axes.flat, arrays))]  # fmt: skip
    if shared:  # one colour scale for all, so that colours compare across panels
        if symmetric:
            limit = max(float(np.abs(a).max()) for a in arrays) or 1.0
            low, high = -limit, limit
        else:
            low, high = min(float(a.min()) for a in arrays), max(float(a.max()) for a in arrays)
        for image in shown:
            image.set_clim(low, high)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if shared:
        fig.colorbar(shown[0], ax=axes.ravel().tolist(), fraction=0.03, pad=0.02)
    return fig


def show_kernels(
    kernels: torch.Tensor | Sequence,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    size: float = 2.0,
    annotate: bool = True,
    title: str | None = None,
    shared: bool = False,
    fmt: str = ".3g",
) -> Figure:
    """Kernels (filters) as small heat maps with their values written in, and colour bars.

    ``fmt`` formats the written values (``".2f"`` keeps learned weights short).

    With ``shared=True`` all kernels use one colour scale and one colour bar, so that colours
    compare across kernels (each kernel has its own scale otherwise).

    Negative weights are blue, positive red, zero white, on a scale symmetric around zero.
    ``kernels`` is a tensor (N, kH, kW) or a sequence of 2-D kernels.

    Examples
    --------
    >>> import torch
    >>> from ainotes.plot import show_kernels
    >>> fig = show_kernels(
    ...     torch.tensor([[[-1.0, -1, -1], [0, 0, 0], [1, 1, 1]]]), ["top edge"]
    ... )
    >>> fig.axes[0].get_title()
    'top edge'
    """
    return _grid_of_maps(kernels, titles, ncols=ncols, size=size, symmetric=True, annotate=annotate,
                         title=title, what="kernel", arg="kernels", shared=shared, fmt=fmt)  # fmt: skip


def show_feature_maps(
    maps: torch.Tensor | Sequence,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    size: float = 2.4,
    symmetric: bool = True,
    title: str | None = None,
    shared: bool = False,
) -> Figure:
    """Feature maps (outputs of a convolution) with colour bars: where each filter responds.

    With ``shared=True`` all maps use one colour scale and one colour bar (compare strengths).

    With ``symmetric=True`` (the default) zero is white, strong positive responses red and strong
    negative ones blue, so the sign of a response is visible; use ``symmetric=False`` for
    non-negative maps (after ReLU or pooling), shown in grey levels.

    Examples
    --------
    >>> import torch
    >>> from ainotes.plot import show_feature_maps
    >>> fig = show_feature_maps(
    ...     torch.rand(2, 5, 5), ["a", "b"], symmetric=False, title="maps"
    ... )
    >>> fig._suptitle.get_text(), len(fig.axes)  # two maps, two colour bars
    ('maps', 4)
    """
    return _grid_of_maps(maps, titles, ncols=ncols, size=size, symmetric=symmetric, annotate=False,
                         title=title, what="feature map", arg="maps", shared=shared)  # fmt: skip
