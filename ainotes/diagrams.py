"""Explanatory diagrams: how colour channels combine, the kinds of padding, and a residual block.

The architecture diagram of a whole network is in :mod:`ainotes.architecture` (re-exported here:
``from ainotes.diagrams import draw_architecture`` works). Each function
returns a titled matplotlib ``Figure``; nothing changes matplotlib's style on import.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle

from ainotes.architecture import draw_architecture
from ainotes.arguments import _kind, flag, real, whole
from ainotes.conv import PADDING_KINDS, conv_output_size
from ainotes.convplot import draw_map, number

__all__ = ["draw_architecture", "draw_multichannel_conv", "draw_padding_kinds", "draw_residual_block"]

_WINDOW = to_rgba("tab:orange", 0.3)
_CHANNELS = (("R", "red", "#c62828"), ("G", "green", "#2e7d32"), ("B", "blue", "#1565c0"))


def _as_float_tensor(value: Any, name: str) -> torch.Tensor:
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a tensor or an array of numbers, got {_kind(value)}.")
    try:
        return torch.as_tensor(value, dtype=torch.float32).detach().cpu()
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"{name} must be a tensor or an array of numbers: {exc}") from None


def _check_title(title: Any, optional: bool = False) -> None:
    if not isinstance(title, str) and not (optional and title is None):
        raise TypeError(f"title must be a str{' or None' if optional else ''}, got {title!r} ({type(title).__name__}).")


def _as_bias(bias: Any) -> float:
    if isinstance(bias, torch.Tensor) and bias.numel() == 1:
        return real(float(bias.detach()), "bias")
    if isinstance(bias, (int, float, np.floating, np.integer)) and not isinstance(bias, bool):
        return real(bias, "bias")
    raise TypeError(f"bias must be one number (a float or a one-element tensor), got {_kind(bias)}.")


def draw_multichannel_conv(
    image: torch.Tensor,
    weight: torch.Tensor,
    bias: float,
    title: str = "One output channel of a convolution on a colour image",
) -> Figure:
    """How one output channel of ``nn.Conv2d(3, ...)`` is made from an RGB image.

    Each colour channel (R, G, B) is convolved with its own k×k kernel (the kernel's numbers are
    written in), giving three maps; the three maps are added, plus the bias, to give the output
    map. The output drawn is exactly ``F.conv2d(image[None], weight[None], bias)`` (no padding,
    stride 1).

    Parameters
    ----------
    image : tensor (3, H, W)
        A colour image, e.g. a CIFAR-10 image as ``ToTensor`` gives it (values in [0, 1]).
    weight : tensor (3, k, k)
        One output channel's kernels, e.g. ``conv.weight[0]`` of an ``nn.Conv2d(3, n, k)``.
    bias : float
        That channel's bias, e.g. ``conv.bias[0]``.
    title : str
        Title of the figure.

    Returns
    -------
    Figure
        The axes titled ``"R channel"``, ``"kernel for R"``, ``"R ∗ kernel"`` (and G, B), the RGB
        image, and the output map, whose image holds the output values.

    Examples
    --------
    >>> import torch
    >>> from ainotes.diagrams import draw_multichannel_conv
    >>> fig = draw_multichannel_conv(torch.rand(3, 8, 8), torch.randn(3, 3, 3), bias=0.1)
    >>> [ax.get_title() for ax in fig.axes][:3]
    ['R channel', 'kernel for R', 'R ∗ kernel']
    """
    image, weight = _as_float_tensor(image, "image"), _as_float_tensor(weight, "weight")
    bias = _as_bias(bias)
    _check_title(title)
    if image.ndim != 3 or image.shape[0] != 3:
        last = ", channels last: use image.permute(2, 0, 1)" if image.ndim == 3 and image.shape[-1] == 3 else ""
        raise ValueError(f"image must be a colour image of shape (3, H, W), got {tuple(image.shape)}{last}.")
    if weight.ndim != 3 or weight.shape[0] != 3 or weight.shape[1] != weight.shape[2]:
        raise ValueError(f"weight must hold one square kernel per colour channel, shape (3, k, k), got "
                         f"{tuple(weight.shape)}; for an nn.Conv2d(3, n, k) pass conv.weight[i].")  # fmt: skip
    k = weight.shape[1]
    if k == 0:
        raise ValueError(f"weight has shape {tuple(weight.shape)}: its kernels are empty, give kernels of 1×1 or more.")
    if k > min(image.shape[1:]) or k > 7:
        raise ValueError(f"A {k}×{k} kernel does not fit here: use a kernel of at most 7×7 that is not larger "
                         f"than the image ({image.shape[1]}×{image.shape[2]}).")  # fmt: skip
    maps = F.conv2d(image[None], weight[:, None], groups=3)[0]  # (3, H', W'): channel c with kernel c
    output = maps.sum(0) + bias
    out_h, out_w = output.shape

    fig = plt.figure(figsize=(9.5, 7))
    grid = fig.add_gridspec(3, 5, width_ratios=[1.1, 1, 1.25, 1, 1.4], wspace=0.45, hspace=0.45,
                            left=0.02, right=0.93, top=0.84, bottom=0.03)  # fmt: skip
    low, high = float(image.min()), float(image.max())
    map_limit = float(maps.abs().max()) or 1.0
    rows = []
    for c, (letter, colour, dark) in enumerate(_CHANNELS):
        ax_c, ax_k, ax_m = (fig.add_subplot(grid[c, j]) for j in (1, 2, 3))
        cmap = LinearSegmentedColormap.from_list(colour, ["black", colour])
        ax_c.imshow(image[c].numpy(), cmap=cmap, vmin=low, vmax=high)
        ax_c.set_title(f"{letter} channel", fontsize=10, color=dark)
        draw_map(ax_k, weight[c], annotate=True, colorbar=False, fmt=".2f", fontsize=9 if k <= 3 else 7)
        ax_k.set_title(f"kernel for {letter}", fontsize=10, color=dark)
        ax_m.imshow(maps[c].numpy(), cmap="RdBu_r", vmin=-map_limit, vmax=map_limit)
        ax_m.set_title(f"{letter} ∗ kernel", fontsize=10)
        for ax in (ax_c, ax_m, ax_k):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        rows.append((ax_c, ax_k, ax_m))
    ax_rgb = fig.add_subplot(grid[1, 0])
    rgb = image.permute(1, 2, 0).numpy()
    ax_rgb.imshow(rgb if low >= 0 and high <= 1 else (rgb - low) / max(high - low, 1e-12))
    ax_rgb.set(xticks=[], yticks=[])
    ax_rgb.grid(False)
    ax_rgb.set_title(f"image {image.shape[1]}×{image.shape[2]}\n(3 channels)", fontsize=10)
    ax_out = fig.add_subplot(grid[1, 4])
    draw_map(ax_out, output, colorbar=True)
    ax_out.set_title(f"output {out_h}×{out_w}", fontsize=10)
    ax_out.set_xlabel(f"= sum of the 3 maps\n+ bias ({number(bias)})", fontsize=10)
    fig.suptitle(title, fontsize=12)
    fig.text(0.5, 0.945, f"Each channel is convolved with its own kernel; the three maps are added, plus the bias "
             f"b = {number(bias)}.\nThe three maps share one colour scale (red +, blue −, white 0).", ha="center",
             va="top", fontsize=10)  # fmt: skip

    for ax in fig.axes:
        ax.apply_aspect()
    for ax_c, ax_k, ax_m in rows:
        for left, right, symbol in ((ax_c, ax_k, "∗"), (ax_k, ax_m, "=")):
            x = (left.get_position().x1 + right.get_position().x0) / 2
            y = (left.get_position().y0 + left.get_position().y1) / 2
            fig.text(x, y, symbol, ha="center", va="center", fontsize=18, color="0.3")
    for upper, lower in zip(rows, rows[1:]):  # "+" between the maps
        x = (upper[2].get_position().x0 + upper[2].get_position().x1) / 2
        y = (upper[2].get_position().y0 + lower[2].get_position().y1) / 2
        fig.text(x, y, "+", ha="center", va="center", fontsize=16, color="0.3")
    for row in rows:  # arrows: image → channels, maps → output
        for start, end in ((ax_rgb, row[0]), (row[2], ax_out)):
            fig.add_artist(plt.Annotation("", xy=(end.get_position().x0 - 0.005, _middle(end)),
                                          xytext=(start.get_position().x1 + 0.005, _middle(start)),
                                          xycoords="figure fraction", arrowprops=dict(arrowstyle="->", color="0.4")))  # fmt: skip
    return fig


def _middle(ax: Axes) -> float:
    box = ax.get_position()
    return (box.y0 + box.y1) / 2


def draw_padding_kinds(size: int = 5, kernel_size: int = 3, title: str | None = None) -> Figure:
    """The three kinds of padding side by side: ``"valid"``, ``"same"`` and ``"full"``.

    Each panel shows the input cells, the zero cells that padding adds around them (grey, with
    a 0), and the kernel's first window position (orange, top left). The title of each panel
    gives the output size, computed with :func:`ainotes.conv.conv_output_size`, e.g.
    ``"valid: 5 → 3"``. ``"same"`` with an even kernel pads one more zero after the input than
    before it, as PyTorch does.

    Parameters
    ----------
    size : int
        Input height and width (1 to 12).
    kernel_size : int
        Kernel height and width (1 to ``size``; at most 7).
    title : str, optional
        Figure title (by default it names the input and kernel sizes).

    Examples
    --------
    >>> from ainotes.diagrams import draw_padding_kinds
    >>> fig = draw_padding_kinds(5, 3)
    >>> [ax.get_title() for ax in fig.axes]
    ['valid: 5 → 3', 'same: 5 → 5', 'full: 5 → 7']
    """
    size = whole(size, "size", least=1, most=12, example="size=5")
    kernel_size = whole(kernel_size, "kernel_size", least=1, most=min(size, 7), example="kernel_size=3")
    _check_title(title, optional=True)
    span = kernel_size - 1
    largest = size + 2 * span
    fig, axes = plt.subplots(1, 3, figsize=(9, 4.3))
    zero_size = min(9.0, 0.6 * 2.5 * 72 / largest)  # each panel is about 2.5 inches wide
    for ax, kind in zip(axes, PADDING_KINDS):
        before, after = {"valid": (0, 0), "same": (span // 2, span - span // 2), "full": (span, span)}[kind]
        out = conv_output_size(size, kernel_size, padding=kind)
        total = size + before + after
        offset = (largest - total) / 2  # centre smaller grids; every panel has the same cell size
        for r in range(total):
            for c in range(total):
                inside = before <= r < before + size and before <= c < before + size
                ax.add_patch(Rectangle((offset + c, offset + r), 1, 1, facecolor="#cfe3f5" if inside else "#d9d9d9",
                                       edgecolor="white", linewidth=1.5))  # fmt: skip
                if not inside and zero_size >= 6:  # no unreadable zeros on large grids
                    ax.text(offset + c + 0.5, offset + r + 0.5, "0", ha="center", va="center", fontsize=zero_size,
                            color="0.35")  # fmt: skip
        ax.add_patch(Rectangle((offset, offset), kernel_size, kernel_size, facecolor=_WINDOW,
                               edgecolor="tab:orange", linewidth=3))  # fmt: skip
        ax.set(xlim=(-0.2, largest + 0.2), ylim=(largest + 0.2, -0.2), aspect="equal", xticks=[], yticks=[])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(f"{kind}: {size} → {out}", fontsize=12)
        if before == after:
            what = "no padding" if before == 0 else f"{before} zero{'s' if before > 1 else ''} on each side"
        else:
            what = f"{before} zero{'s' if before != 1 else ''} before, {after} after"
        ax.set_xlabel(f"{what}\noutput {out}×{out}", fontsize=10)
    fig.legend(handles=[Patch(facecolor="#cfe3f5", label=f"input {size}×{size}"),
                        Patch(facecolor="#d9d9d9", label="zero padding"),
                        Patch(facecolor=_WINDOW, edgecolor="tab:orange", linewidth=2,
                              label=f"first position of the {kernel_size}×{kernel_size} kernel")],
               loc="lower center", ncol=3, frameon=False, fontsize=10)  # fmt: skip
    fig.suptitle(title or f"Padding kinds: a {kernel_size}×{kernel_size} kernel on a {size}×{size} input", fontsize=12)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def draw_residual_block(downsample: bool = False) -> Figure:
    """A residual block as torchvision's ``BasicBlock`` computes it: two convolutions and a shortcut.

    The main path (3×3 conv, BN, ReLU, 3×3 conv, BN) computes a correction ``F(x)``; the shortcut
    carries ``x`` unchanged around it, and the two are added before the last ReLU. With
    ``downsample=True`` the shortcut is a 1×1 convolution with stride 2 and BN, as in a block that
    halves the size and changes the number of channels.

    Examples
    --------
    >>> from ainotes.diagrams import draw_residual_block
    >>> draw_residual_block().axes[0].get_title()
    'A residual block: the output is relu(F(x) + x)'
    """
    downsample = flag(downsample, "downsample")
    fig, ax = plt.subplots(figsize=(9, 2.9))
    main = ["3×3 conv", "BN", "ReLU", "3×3 conv", "BN"]
    if downsample:
        main[0] = "3×3 conv\nstride 2"
    xs = [1.4 + 1.35 * i for i in range(len(main))]
    boxes = [(0.0, "x", "#eeeeee"), *((x, text, "#cfe3f5") for x, text in zip(xs, main)),
             (xs[-1] + 1.35, "+", "#ffe0b2"), (xs[-1] + 2.5, "ReLU", "#cfe3f5"),
             (xs[-1] + 3.75, "output", "#eeeeee")]  # fmt: skip
    for x, text, colour in boxes:
        width = 0.5 if text == "+" else 1.0
        ax.add_patch(FancyBboxPatch((x - width / 2, 0.7), width, 0.6, boxstyle="round,pad=0.05",
                                    facecolor=colour, edgecolor="0.4"))  # fmt: skip
        ax.text(x, 1.0, text, ha="center", va="center", fontsize=14 if text == "+" else 10)
    for (x0, t0, _), (x1, t1, _) in zip(boxes, boxes[1:]):
        start = x0 + (0.25 if t0 == "+" else 0.5) + 0.05
        end = x1 - (0.25 if t1 == "+" else 0.5) - 0.05
        ax.add_patch(FancyArrowPatch((start, 1.0), (end, 1.0), arrowstyle="-|>", mutation_scale=12, color="0.3"))
    plus = boxes[-3][0]
    shortcut = "shortcut: 1×1 conv, stride 2, BN" if downsample else "shortcut: x unchanged (identity)"
    ax.plot([0.0, 0.0, plus], [0.63, 0.3, 0.3], color="tab:orange", linewidth=2)
    ax.add_patch(FancyArrowPatch((plus, 0.3), (plus, 0.63), arrowstyle="-|>", mutation_scale=12, color="tab:orange",
                                 linewidth=2))  # fmt: skip
    ax.text(plus / 2, 0.12, shortcut, ha="center", va="center", color="tab:orange", fontsize=10)
    ax.annotate("", xy=(xs[-1] + 0.5, 1.55), xytext=(xs[0] - 0.5, 1.55),
                arrowprops=dict(arrowstyle="-", color="tab:blue"))  # fmt: skip
    ax.text((xs[0] + xs[-1]) / 2, 1.72, "main path: the correction F(x)", ha="center", color="tab:blue", fontsize=10)
    ax.set(xlim=(-0.7, boxes[-1][0] + 0.7), ylim=(-0.05, 1.95), aspect="equal", xticks=[], yticks=[])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    added = "shortcut(x)" if downsample else "x"
    ax.set_title(f"A residual block: the output is relu(F(x) + {added})", fontsize=12)
    fig.tight_layout()
    return fig
