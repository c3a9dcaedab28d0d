"""A generated architecture diagram of a sequential CNN: blocks, output shapes, parameter counts.

Everything drawn is computed by running a zero input through the model, so the diagram cannot
disagree with the code. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from torch import nn

from ainotes._conv_layers import _KEEP, _create, _in_order
from ainotes.arguments import _a, whole
from ainotes.arguments import _kind as _type_name
from ainotes.arguments import module as _module

__all__ = ["Block", "architecture_blocks", "describe", "draw_architecture"]

_P = nn.modules.pooling
_GRID_LAYERS = (nn.modules.conv._ConvNd, _P._MaxPoolNd, _P._AvgPoolNd, _P._AdaptiveAvgPoolNd, _P._AdaptiveMaxPoolNd)
_COLOURS = {"conv": "#d6e6f5", "flatten": "#e6e6e6", "linear": "#fde3c8", "other": "#eeeeee", "input": "#ffffff"}


@dataclass
class Block:
    """One box of the diagram: layers that run one after the other, and what comes out.

    ``shape`` is the output shape without the batch dimension; ``kind`` is ``"conv"``,
    ``"linear"``, ``"flatten"`` or ``"other"`` (after the block's first layer).

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.architecture import architecture_blocks
    >>> _, blocks = architecture_blocks(
    ...     nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU()), (1, 1, 6, 6)
    ... )
    >>> blocks[0]
    Block(kind='conv', layers=['Conv2d 1→4, 3×3', 'ReLU'], shape=(4, 4, 4), params=40)
    """

    kind: str
    layers: list[str] = field(default_factory=list)
    shape: tuple[int, ...] = ()
    params: int = 0


def _pair(value: int | tuple[int, ...]) -> str:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))


def describe(layer: nn.Module) -> str:
    """A short description of one layer, e.g. ``"Conv2d 1→32, 3×3, stride 2"`` or ``"Linear 1600→128"``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.architecture import describe
    >>> (
    ...     describe(nn.Conv2d(1, 4, 3, stride=2, padding=1)),
    ...     describe(nn.MaxPool2d(2)),
    ...     describe(nn.ReLU()),
    ... )
    ('Conv2d 1→4, 3×3, stride 2, padding 1', 'MaxPool2d 2×2', 'ReLU')
    """
    _module(layer, "layer", example=_create(layer))
    name = type(layer).__name__
    if isinstance(layer, nn.modules.conv._ConvNd):
        kernel = "×".join(map(str, layer.kernel_size))
        text = f"{name} {layer.in_channels}→{layer.out_channels}, {kernel}"
        for option, default in (("stride", "1"), ("padding", "0"), ("dilation", "1"), ("groups", "1")):
            value = getattr(layer, option)
            shown = value if isinstance(value, str) else _pair(value)
            if str(shown) != default:
                text += f", {option} {shown}"
        return text
    if isinstance(layer, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)):
        size = _pair(layer.kernel_size)
        text = f"{name} {size}×{size}" if "×" not in size else f"{name} {size}"
        stride = _pair(layer.stride) if layer.stride is not None else size
        text += f", stride {stride}" if stride != size else ""
        for option, default in (("padding", "0"), ("dilation", "1")):
            shown = _pair(getattr(layer, option, 1))
            text += f", {option} {shown}" if shown != default else ""
        return text + (", ceil_mode" if layer.ceil_mode else "")
    if isinstance(layer, nn.Linear):
        return f"{name} {layer.in_features}→{layer.out_features}"
    if isinstance(layer, nn.modules.dropout._DropoutNd):
        return f"{name} p={layer.p:g}"
    if isinstance(layer, nn.modules.batchnorm._NormBase):
        return f"{name} {layer.num_features}"
    if isinstance(layer, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return f"{name} → {_pair(layer.output_size)}"
    return name


def _leaves(model: nn.Module, prefix: str = "") -> Iterator[tuple[str, nn.Module]]:
    """(name, layer) in the order they run: nested nn.Sequential blocks opened, unless they have their own forward."""
    for key, layer in model.named_children():
        if _in_order(layer) and isinstance(layer, nn.Sequential):
            yield from _leaves(layer, f"{prefix}{key}.")
        elif isinstance(layer, nn.ModuleList):
            raise TypeError(f"Layer {prefix}{key!s} of the model is an nn.ModuleList, which has no order of its own to "
                            "run: use nn.Sequential blocks.")  # fmt: skip
        else:
            yield f"{prefix}{key}", layer


def _kind(layer: nn.Module) -> str | None:
    """The kind of block that ``layer`` starts, or None if it joins the block before it."""
    if isinstance(layer, nn.modules.conv._ConvNd):
        return "conv"
    if isinstance(layer, nn.Linear):
        return "linear"
    if isinstance(layer, nn.Flatten):
        return "flatten"
    return None


def _check_input_size(input_size: Sequence[int]) -> tuple[int, ...]:
    if isinstance(input_size, torch.Tensor):
        raise TypeError(
            f"input_size must be a shape, not a tensor: give its shape, input_size={tuple(input_size.shape)}."
        )
    if not isinstance(input_size, (tuple, list, torch.Size)):
        raise TypeError(f"input_size must be a tuple of whole numbers such as (1, 1, 28, 28), got {input_size!r}.")
    sizes = tuple(whole(n, "each of input_size", example="input_size=(1, 1, 28, 28)") for n in input_size)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"input_size={sizes} is impossible: give (batch, channels, height, width) "
                         "with every size at least 1.")  # fmt: skip
    return sizes


def _check_batch(size: tuple[int, ...], layers: list[tuple[str, nn.Module]]) -> None:
    """Refuse an input size without the batch dimension: Conv2d and pooling would take it as one unbatched image."""
    for index, (_, layer) in enumerate(layers):
        grid = re.search(r"(\d)d$", type(layer).__name__)
        if grid and isinstance(layer, _GRID_LAYERS):
            if len(size) == int(grid.group(1)) + 1:
                raise ValueError(f"input_size={size} has no batch dimension: layer {index} ({describe(layer)}) takes "
                                 f"(batch, channels, ...), e.g. input_size={(1, *size)}.")  # fmt: skip
            return
        if not isinstance(layer, _KEEP):
            return  # a layer that may change the shape: nothing more is known


def architecture_blocks(model: nn.Sequential, input_size: Sequence[int]) -> tuple[tuple[int, ...], list[Block]]:
    """The blocks of a sequential model, with output shapes and parameter counts, by running it.

    A convolution starts a block and the activations, pooling, normalisation and dropout after it
    join it; ``Flatten`` is a block of its own; each ``Linear`` starts a block with its activation.
    Nested ``nn.Sequential`` blocks are read in order. A zero input of ``input_size`` (batch
    included) goes through the layers one by one, in evaluation mode (the model's training flags
    are restored afterwards) and without gradients.

    Returns
    -------
    (input shape without the batch, list of Block)

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.architecture import architecture_blocks
    >>> model = nn.Sequential(
    ...     nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(72, 10)
    ... )
    >>> shape, blocks = architecture_blocks(model, (1, 1, 8, 8))
    >>> (
    ...     shape,
    ...     [(b.layers, b.shape, b.params) for b in blocks],
    ... )  # doctest: +NORMALIZE_WHITESPACE
    ((1, 8, 8), [(['Conv2d 1→8, 3×3', 'ReLU', 'MaxPool2d 2×2'], (8, 3, 3), 80),
                 (['Flatten'], (72,), 0), (['Linear 72→10'], (10,), 730)])
    """
    _module(model, "model", example=_create(model, "nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU())"))
    if not isinstance(model, nn.Sequential) or not _in_order(model):
        raise TypeError(f"Expected an nn.Sequential model, got {_type_name(model)}: the diagram follows the order of "
                        "its layers, which its own forward may not (a residual network adds inputs back); pass an "
                        "nn.Sequential of its parts, in the order forward runs them.")  # fmt: skip
    size = _check_input_size(input_size)
    named = list(_leaves(model))
    if not named:
        raise ValueError("The model has no layers to draw.")
    _check_batch(size, named)
    layers = [layer for _, layer in named]
    param = next(model.parameters(), None)
    x = torch.zeros(size, device=param.device if param is not None else "cpu",
                    dtype=param.dtype if param is not None and param.is_floating_point() else torch.float32)  # fmt: skip
    modes = {m: m.training for m in model.modules()}
    blocks: list[Block] = []
    seen: set[int] = set()
    model.eval()
    try:
        with torch.no_grad():
            for index, layer in enumerate(layers):
                kind = _kind(layer)
                if kind is not None or not blocks:
                    blocks.append(Block(kind or "other"))
                try:
                    out = layer(x)
                except (RuntimeError, ValueError, IndexError, TypeError) as exc:
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    raise ValueError(
                        f"The model cannot process an input of size {size}: layer {index} ({describe(layer)}) "
                        f"got a tensor of shape {list(x.shape)} and failed: {reason}. Check the input size "
                        "(batch, channels, height, width) against the model's layers."
                    ) from None
                if not isinstance(out, torch.Tensor):
                    raise TypeError(f"Layer {index} ({describe(layer)}) returned {_a(out)}, not a tensor.")
                x = out
                blocks[-1].layers.append(describe(layer))
                blocks[-1].shape = tuple(x.shape[1:])
                for p in layer.parameters():
                    if id(p) not in seen:
                        seen.add(id(p))
                        blocks[-1].params += p.numel()
    finally:
        for module, training in modes.items():
            module.training = training
    return size[1:], blocks


def _shape_text(shape: tuple[int, ...]) -> str:
    return str(shape[0]) if len(shape) == 1 else "[" + ", ".join(map(str, shape)) + "]"


def draw_architecture(
    model: nn.Sequential, input_size: Sequence[int], title: str = "Architecture: blocks, output shapes, parameters"
) -> Figure:
    """Diagram of a sequential CNN, top to bottom: one box per block, with its output shape and parameters.

    The blocks are those of :func:`architecture_blocks` (a convolution with the activation and
    pooling after it; ``Flatten``; each ``Linear`` with its activation). Each box lists its
    layers; to its right are the block's output shape (without the batch dimension) and its
    number of parameters, under the input shape at the top and above the total at the bottom.

    Parameters
    ----------
    model : nn.Sequential
        The model (nested ``nn.Sequential`` blocks are fine).
    input_size : tuple of int
        Input size with the batch dimension, e.g. ``(1, 1, 28, 28)``.
    title : str
        Title of the figure.

    Raises
    ------
    ValueError
        If the model cannot process an input of that size (the message names the layer).

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.architecture import draw_architecture
    >>> model = nn.Sequential(
    ...     nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 26 * 26, 10)
    ... )
    >>> fig = draw_architecture(model, (1, 1, 28, 28))
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> "[8, 26, 26]" in texts and "54,170" in texts
    True
    """
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {title!r} ({type(title).__name__}).")
    input_shape, blocks = architecture_blocks(model, input_size)
    total = sum(block.params for block in blocks)
    line, gap, pad, head = 0.24, 0.34, 0.1, 0.75  # inches: a text line, the arrow between boxes, padding
    rows = [(["input"], _shape_text(input_shape), "", "input")]
    rows += [(b.layers, _shape_text(b.shape), f"{b.params:,}", b.kind) for b in blocks]
    height = head + sum(len(r[0]) * line + 2 * pad for r in rows) + gap * (len(rows) - 1) + 0.75
    width = 8.0
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, width), ylim=(height, 0))
    ax.axis("off")
    left, right, shape_x, params_x = 0.3, 4.7, 5.9, 7.6
    ax.text(left, head - 0.15, "layers", fontsize=10, color="0.35", va="bottom")
    ax.text(shape_x, head - 0.15, "output shape", fontsize=10, color="0.35", va="bottom", ha="center")
    ax.text(params_x, head - 0.15, "parameters", fontsize=10, color="0.35", va="bottom", ha="right")
    y = head
    for i, (layers, shape, params, kind) in enumerate(rows):
        box_height = len(layers) * line + 2 * pad
        ax.add_patch(FancyBboxPatch((left, y), right - left, box_height, boxstyle="round,pad=0,rounding_size=0.08",
                                    facecolor=_COLOURS[kind], edgecolor="0.45", linewidth=1.2))  # fmt: skip
        for j, text in enumerate(layers):
            bold = j == 0 and kind in ("conv", "linear", "input")
            ax.text(left + 0.15, y + pad + (j + 0.5) * line, text, va="center", fontsize=10,
                    fontweight="bold" if bold else "normal")  # fmt: skip
        middle = y + box_height / 2
        ax.plot([right + 0.1, shape_x - 0.75], [middle, middle], linestyle=":", color="0.6", linewidth=1)
        ax.text(shape_x, middle, shape, ha="center", va="center", fontsize=10, fontweight="bold")
        ax.text(params_x, middle, params, ha="right", va="center", fontsize=10)
        y += box_height
        if i < len(rows) - 1:
            ax.annotate("", xy=((left + right) / 2, y + gap - 0.02), xytext=((left + right) / 2, y + 0.02),
                        arrowprops=dict(arrowstyle="-|>", color="0.35", linewidth=1.2))  # fmt: skip
            y += gap
    ax.plot([shape_x - 0.6, params_x], [y + 0.2, y + 0.2], color="0.45", linewidth=1)
    ax.text(shape_x - 0.6, y + 0.45, "total", va="center", fontsize=10, fontweight="bold")
    ax.text(params_x, y + 0.45, f"{total:,}", ha="right", va="center", fontsize=10, fontweight="bold")
    ax.text(left, y + 0.45, "shapes without the batch dimension", va="center", fontsize=9, color="0.35")
    fig.suptitle(title, y=1 - 0.12 / height, va="top", fontsize=12)
    return fig
