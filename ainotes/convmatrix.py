"""A convolution as a matrix: the figure of "a convolution is a sparse linear layer with shared weights".

A 2-D convolution is linear, so it has a matrix ``M`` with ``M @ x.flatten() == F.conv2d(x, kernel).flatten()``:
one row per output pixel, one column per input pixel. :func:`plot_conv_matrix` draws ``M`` between the input
and the output grids, each weight in its own colour, so that the few non-zero entries and the same weights on
every row show at a glance. :func:`row_inputs` says which input pixels one output pixel reads. Nothing changes
matplotlib's style on import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ainotes.arguments import _kind, real
from ainotes.convplot import number

__all__ = ["plot_conv_matrix", "row_inputs"]

# One colour per distinct weight (tab10 without its grey, then three more): the same weight, the same colour.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
           "#e377c2", "#bcbd22", "#17becf", "#393b79", "#e7ba52", "#7b4173")  # fmt: skip
HIGHLIGHT = "#fff1a6"  # the output pixel of the highlighted row, and that row's zero entries
OUTLINE = "#24292f"
GRID, BLOCK = "#d0d7de", "#8c959f"  # lines between cells, and between image rows
_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80
_SMALLEST_FONT = 7.0  # points: below this, values are not written in the cells


def _as_matrix(matrix: Any, name: str = "matrix") -> np.ndarray:
    """``matrix`` as a 2-D numpy array of finite numbers (its dtype kept, so values compare exactly)."""
    if isinstance(matrix, torch.Tensor):
        matrix = matrix.detach().cpu()
        matrix = matrix.float() if matrix.dtype == torch.bfloat16 else matrix
        a = matrix.numpy()
    else:
        try:
            a = np.asarray(matrix)
        except ValueError as error:  # ragged nested lists
            raise TypeError(f"`{name}` must be a tensor or an array of numbers, got {_kind(matrix)} "
                            f"that numpy cannot read as one ({error}).") from None  # fmt: skip
    if a.dtype.kind not in "iuf":
        raise TypeError(f"`{name}` must hold numbers (int or float), got dtype {a.dtype}: "
                        "give a float tensor, e.g. torch.tensor(values, dtype=torch.float32).")  # fmt: skip
    if a.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D (output pixels, input pixels), got shape {a.shape}: "
                         "one row per output pixel, one column per input pixel.")  # fmt: skip
    if not np.isfinite(a).all():
        raise ValueError(f"`{name}` holds NaN or infinite values: every entry must be a finite weight or 0.")
    return a


def _pair(size: Any, name: str) -> tuple[int, int]:
    """``(height, width)`` from an int (square) or a pair of positive ints."""
    pair = (size, size) if isinstance(size, (int, np.integer)) and not isinstance(size, bool) else size
    ok = isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2
    if not ok or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in pair):
        raise TypeError(f"`{name}` must be (height, width) in pixels or one int for a square, got {size!r}.")
    if min(pair) < 1:
        raise ValueError(f"`{name}` must be (height, width) in pixels or one int for a square, got {size!r}: "
                         "every size must be at least 1.")  # fmt: skip
    return int(pair[0]), int(pair[1])


def _check_row(row: Any, rows: int) -> int:
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)):
        raise TypeError(f"`row` is {row!r}, not a whole number: the matrix has {rows} rows, one per output pixel, "
                        f"so give an int from 0 to {rows - 1}.")  # fmt: skip
    if not 0 <= row < rows:
        raise ValueError(f"`row` is {row!r}, out of range: the matrix has {rows} rows, one per output pixel, "
                         f"so give an int from 0 to {rows - 1}.")  # fmt: skip
    return int(row)


def row_inputs(matrix: torch.Tensor | np.ndarray, row: int) -> list[int]:
    """The input pixels that output pixel ``row`` reads: the columns where that matrix row is non-zero.

    The numbers are flattened input positions: pixel ``(r, c)`` of an image ``W`` wide is ``r * W + c``.
    A kernel weight of exactly 0 reads nothing, so it is left out.

    Parameters
    ----------
    matrix : tensor or array (output pixels, input pixels)
        The matrix of a convolution, one row per output pixel.
    row : int
        Which output pixel (row of the matrix), from 0.

    Returns
    -------
    list of int
        Column numbers, in increasing order.

    Examples
    --------
    >>> import torch
    >>> from ainotes.convmatrix import row_inputs
    >>> M = torch.tensor([[1.0, 2.0, 0.0, 0.0], [0.0, 1.0, 2.0, 0.0], [0.0, 0.0, 1.0, 2.0]])
    >>> row_inputs(M, 1)
    [1, 2]
    """
    a = _as_matrix(matrix)
    return np.flatnonzero(a[_check_row(row, a.shape[0])]).tolist()


def _output_size(rows: int, output_size: Any) -> tuple[int, int]:
    if output_size is not None:
        out_h, out_w = _pair(output_size, "output_size")
        if out_h * out_w != rows:
            raise ValueError(f"`output_size` {out_h}×{out_w} has {out_h * out_w} pixels, but the matrix has {rows} "
                             "rows, one per output pixel: they must be equal.")  # fmt: skip
        return out_h, out_w
    side = int(round(rows**0.5))
    if side * side != rows:
        raise ValueError(f"The matrix has {rows} rows (output pixels), not a square number, so the output grid is "
                         "not square: give output_size=(out_h, out_w).")  # fmt: skip
    return side, side


def _text_colour(colour: Any) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return "white" if 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] < 0.179 else "black"


class _Colours:
    """The colour of each weight: one palette colour per distinct value (first seen first), or a red/blue scale."""

    def __init__(self, a: np.ndarray) -> None:
        values, first = np.unique(a[a != 0], return_index=True)
        self.values = values[np.argsort(first)]  # in the order they appear, row by row
        self.categorical = len(self.values) <= len(PALETTE)
        limit = float(np.abs(a).max())
        self.norm, self.cmap = Normalize(-limit, limit), plt.get_cmap("RdBu_r")

    def rgb(self, a: np.ndarray) -> np.ndarray:
        """RGB of each entry of ``a``; zeros white."""
        if self.categorical:
            out = np.ones((*a.shape, 3))
            for value, colour in zip(self.values, PALETTE):
                out[a == value] = to_rgb(colour)
        else:
            out = self.cmap(self.norm(a))[..., :3]
        out[a == 0] = 1.0
        return out


def _cell_lines(ax: Axes, height: int, width: int, block: int | None = None, block_rows: int | None = None,
                cell: float = 1.0) -> None:  # fmt: skip
    """A faint line between cells (if ``cell`` is 0.05 inch or more), a darker one every ``block`` columns and
    ``block_rows`` rows."""
    ax.set_xticks(np.arange(-0.5, width, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, height, 1), minor=True)
    if cell >= 0.05:
        ax.grid(which="minor", color=GRID, linewidth=0.6)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="both", length=0)
    for step, line, end in ((block, ax.axvline, width), (block_rows, ax.axhline, height)):
        for k in range(step or end, end, step or end):
            line(k - 0.5, color=BLOCK, linewidth=1.0)
    for spine in ax.spines.values():
        spine.set(visible=True, edgecolor=BLOCK, linewidth=1.0)


def _tick_step(cell: float, needed: float, unit: int) -> int:
    """Label every column (row) if ``needed`` points fit in a cell, else every few image rows."""
    return 1 if cell * 72 >= needed else unit * int(np.ceil(needed / (unit * cell * 72)))


def _font(labels: Sequence[str], cell_inches: float, largest: float = 9.0) -> float:
    """Largest font size (points, at most ``largest``) at which every label fits in a square cell."""
    longest = max([len(label) for label in labels] + [2])
    return min(largest, 0.75 * cell_inches * 72, 0.9 * cell_inches * 72 / (0.6 * longest))


def _small_grid(ax: Axes, rgb: np.ndarray, labels: np.ndarray, font: float, title: str) -> None:
    """A grid of cells coloured ``rgb``, each with its label if ``font`` is legible, titled."""
    ax.imshow(rgb, interpolation="nearest")
    for (r, c), label in np.ndenumerate(labels if font >= _SMALLEST_FONT else np.empty((0, 0))):
        ax.text(c, r, label, ha="center", va="center", fontsize=font, color=_text_colour(rgb[r, c]))
    _cell_lines(ax, *labels.shape)
    ax.set(xticklabels=[], yticklabels=[])
    ax.set_title(title, fontsize=9.5, linespacing=1.3)


def plot_conv_matrix(
    matrix: torch.Tensor | np.ndarray,
    input_size: int | tuple[int, int],
    *,
    row: int | None = None,
    kernel: torch.Tensor | np.ndarray | None = None,
    output_size: tuple[int, int] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """The matrix of a convolution between its input and output grids: a sparse linear layer with shared weights.

    Three panels, left to right: the input grid, each pixel numbered with its column of the matrix; the matrix,
    zeros white and each distinct weight in its own colour, the same on every row (values written in when the
    cells are big enough), lines between image rows; the output grid, each pixel numbered with its row. The
    output pixel ``row`` is highlighted in yellow, its row of the matrix outlined, and the input pixels it reads
    are filled with the colour of the weight they are multiplied by. With more than 12 distinct weights, colours
    come from a red/blue scale centred on 0 instead (negative blue, positive red), with a colour bar.

    Parameters
    ----------
    matrix : tensor or array (out_h * out_w, in_h * in_w)
        ``M`` with ``M @ x.flatten() == F.conv2d(x, kernel).flatten()`` for one-channel images ``x``.
    input_size : int or (in_h, in_w)
        The input image's size (an int for a square).
    row : int, optional
        The output pixel to highlight; by default one in the middle (row 5 of a 4×4 output).
    kernel : tensor or array (kH, kW), optional
        The kernel, drawn under the output in the same colours; each of its non-zero weights must be in ``matrix``.
    output_size : (out_h, out_w), optional
        The output grid's size; by default square (the number of rows must then be a square number).
    title : str, optional
        Figure title; by default the matrix's size and how many of its entries are non-zero.
    figsize : (width, height) in inches, optional
        By default 9.6 inches wide (about 770 pixels at the book's dpi of 80), high enough for the panels.

    Returns
    -------
    matplotlib.figure.Figure
        Axes: input, matrix, output, then the kernel (if given) and the colour bar (if any).

    Examples
    --------
    >>> import torch, torch.nn.functional as F
    >>> from ainotes.convmatrix import plot_conv_matrix
    >>> kernel = torch.arange(1.0, 10.0).view(3, 3)
    >>> M = (
    ...     F.conv2d(torch.eye(36).view(36, 1, 6, 6), kernel.view(1, 1, 3, 3))
    ...     .view(36, 16)
    ...     .T
    ... )  # column j: conv(e_j)
    >>> fig = plot_conv_matrix(M, 6)
    >>> fig.get_suptitle()
    'Conv2d as a 16 × 36 matrix: 144 of 576 entries are non-zero, 9 distinct values'
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes]
    ['input 6×6', 'M: one row per output pixel, one column per input pixel', 'output 4×4']
    """
    a = _as_matrix(matrix)
    if a.size == 0:
        raise ValueError(f"`matrix` has shape {a.shape}: it is empty, give one row per output pixel and one column "
                         "per input pixel.")  # fmt: skip
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None, got {title!r} ({type(title).__name__}).")
    if figsize is not None:
        if not isinstance(figsize, Sequence) or isinstance(figsize, str) or len(figsize) != 2:
            raise TypeError(f"`figsize` must be (width, height) in inches, got {figsize!r}.")
        for n in figsize:
            real(n, "each of figsize", positive=True, example="figsize=(9.6, 5)")
    if not a.any():
        raise ValueError("`matrix` is all zeros: nothing to draw. Build it with column j = F.conv2d(e_j, kernel)"
                         ".flatten(), e_j the image with a 1 at pixel j and 0 elsewhere.")  # fmt: skip
    rows, cols = a.shape
    in_h, in_w = _pair(input_size, "input_size")
    if in_h * in_w != cols:
        raise ValueError(f"`matrix` has {cols} columns, one per input pixel, but input_size {in_h}×{in_w} has "
                         f"{in_h * in_w} pixels: they must be equal (matrix shape {a.shape}).")  # fmt: skip
    out_h, out_w = _output_size(rows, output_size)
    if row is None:  # the middle pixel, or the first one that reads anything
        row = ((out_h - 1) // 2) * out_w + (out_w - 1) // 2
        row = row if a[row].any() else int(np.flatnonzero(a.any(axis=1))[0])
    row = _check_row(row, rows)
    k = None if kernel is None else _as_matrix(kernel, "kernel").astype(a.dtype)
    colours = _Colours(a)
    if k is not None and not np.isin(k[k != 0], colours.values).all():
        missing = number(k[(k != 0) & ~np.isin(k, colours.values)][0])
        raise ValueError(f"The kernel weight {missing} is nowhere in `matrix`: pass the kernel the matrix was "
                         "built from (with the same dtype).")  # fmt: skip

    # Sizes (inches): small grids in cells up to 0.3 inch, the matrix as wide as the rest of the figure allows.
    width = figsize[0] if figsize else _WIDTH
    side = min(0.3, 2.0 / max(in_w, out_w), 2.2 / max(in_h, out_h))
    kh, kw = (0, 0) if k is None else k.shape
    labels_k = None if k is None else np.vectorize(lambda v: number(v, ".2g"))(k)
    k_cell = 0 if k is None else min(0.36, max(side, 0.6 * 7.5 * max(len(t) for t in labels_k.flat) / 0.9 / 72))
    k_cell = min(k_cell, max(out_w * side, 1.3) / max(kw, 1))  # no wider than the output, or 1.3 inches
    right = max(out_w * side, kw * k_cell)
    cell = max(0.002, min(0.32, (width - 1.7 - side * in_w - right) / cols))
    height = max(rows * cell, in_h * side, out_h * side + (kh * k_cell + 0.5 if kh else 0))
    extra = 0 if colours.categorical else 0.6  # a colour bar under the matrix
    fig = plt.figure(figsize=figsize or (width, height + 1.45 + extra), layout="constrained")
    grid = fig.add_gridspec(2, 3, width_ratios=(in_w * side, cols * cell, right),
                            height_ratios=(out_h * side, kh * k_cell + 0.5 if kh else 1e-3))  # fmt: skip
    ax_in, ax_m, ax_out = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[:, 1]), fig.add_subplot(grid[0, 2])
    reads = np.array(row_inputs(a, row), dtype=int)

    # Input: pixel numbers; the pixels `row` reads in the colour of their weight.
    rgb_in = np.ones((in_h * in_w, 3))
    rgb_in[reads] = colours.rgb(a[row, reads])
    labels_in = np.arange(cols).reshape(in_h, in_w).astype(str)
    _small_grid(ax_in, rgb_in.reshape(in_h, in_w, 3), labels_in, _font(labels_in.flat, side, 8.5),
                f"input {in_h}×{in_w}\n(pixel = column)")  # fmt: skip
    for j in reads:
        ax_in.add_patch(Rectangle((j % in_w - 0.5, j // in_w - 0.5), 1, 1, fill=False, edgecolor=OUTLINE,
                                  linewidth=1.6, gid=f"read {j}"))  # fmt: skip

    # The matrix: zeros white, weights in colour, the highlighted row's zeros yellow and the row outlined.
    rgb = colours.rgb(a)
    rgb[row, a[row] == 0] = to_rgb(HIGHLIGHT)
    ax_m.imshow(rgb, interpolation="nearest")
    _cell_lines(ax_m, rows, cols, block=in_w, block_rows=out_w, cell=cell)
    ax_m.add_patch(Rectangle((-0.5, row - 0.5), cols, 1, fill=False, edgecolor=OUTLINE, linewidth=2.2,
                             clip_on=False, gid=f"row {row}"))  # fmt: skip
    labels = {v: number(v, ".2g") for v in colours.values}
    font = _font(list(labels.values()), cell)
    if colours.categorical and font >= _SMALLEST_FONT:
        for (r, c), v in np.ndenumerate(a):
            if v != 0:
                ax_m.text(c, r, labels[v], ha="center", va="center", fontsize=font, color=_text_colour(rgb[r, c]))
    tick_font = max(_SMALLEST_FONT, min(8.0, 0.62 * cell * 72))
    every_x = _tick_step(cell, 0.6 * tick_font * len(str(cols - 1)) + 1, in_w)
    every_y = _tick_step(cell, 0.95 * tick_font, out_w)
    ax_m.set_xticks(np.arange(0, cols, every_x), [str(j) for j in range(0, cols, every_x)], fontsize=tick_font)
    ax_m.set_yticks(np.arange(0, rows, every_y), [str(i) for i in range(0, rows, every_y)], fontsize=tick_font)
    if row % every_y == 0:
        ax_m.get_yticklabels()[row // every_y].set_fontweight("bold")
    if every_x == 1:  # the columns that row reads in black, the others grey (not bold: the labels would touch)
        for j, label in enumerate(ax_m.get_xticklabels()):
            label.set_color(OUTLINE if j in reads else BLOCK)
    ax_m.set_xlabel("input pixel (column of the matrix)", fontsize=9)
    ax_m.set_ylabel("output pixel (row)", fontsize=9)
    r, c = divmod(row, out_w)
    ax_m.set_title(f"M: one row per output pixel, one column per input pixel\nrow {row} reads {len(reads)} input "
                   "pixels, each times the weight of its colour", fontsize=9.5, linespacing=1.3)  # fmt: skip

    # Output: pixel numbers (rows of the matrix), `row` highlighted.
    rgb_out = np.ones((rows, 3))
    rgb_out[row] = to_rgb(HIGHLIGHT)
    labels_out = np.arange(rows).reshape(out_h, out_w).astype(str)
    _small_grid(ax_out, rgb_out.reshape(out_h, out_w, 3), labels_out, _font(labels_out.flat, side, 8.5),
                f"output {out_h}×{out_w}\n(pixel = row)")  # fmt: skip
    ax_out.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=OUTLINE, linewidth=2.2,
                               gid=f"output {row}"))  # fmt: skip

    if k is not None:  # the kernel in the same colours: the weights every row shares
        ax_k = fig.add_subplot(grid[1, 2])
        _small_grid(ax_k, colours.rgb(k), labels_k, _font(labels_k.flat, k_cell, 8.5), "kernel")
    if not colours.categorical:
        bar = fig.colorbar(ScalarMappable(colours.norm, colours.cmap), ax=ax_m, location="bottom", shrink=0.5,
                           aspect=40, pad=0.02)  # fmt: skip
        bar.set_label(f"weight ({len(colours.values)} distinct values: too many for one colour each)", fontsize=9)
        bar.ax.tick_params(labelsize=8)
    if title is None:
        distinct = len(colours.values)
        title = (f"Conv2d as a {rows} × {cols} matrix: {np.count_nonzero(a)} of {a.size} entries are non-zero, "
                 f"{distinct} distinct value{'s' if distinct != 1 else ''}")  # fmt: skip
    fig.suptitle(title, fontsize=11.5)
    return fig
