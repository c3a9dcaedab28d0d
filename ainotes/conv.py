"""Convolution arithmetic: output sizes, padding kinds and receptive fields.

The kernels themselves (presets, :func:`~ainotes.kernels.apply_kernel`) live in :mod:`ainotes.kernels`; they are
re-exported here, so ``from ainotes.conv import PRESET_KERNELS, apply_kernel`` works.

All sizes are along one spatial dimension (height or width); square settings use the same number
for both. The formulas are PyTorch's, so the results equal the shapes ``torch`` produces:

    output = (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1

Impossible settings raise a ``ValueError`` naming the value and the reason (a ``TypeError`` for a value of
the wrong type, such as ``2.0`` or ``"3"`` for a whole number).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ainotes._conv_layers import _SAME, _STOP, _after_the_end, _layer_list, _layer_settings
from ainotes.arguments import choice, flag, nonempty, whole
from ainotes.kernels import PADDING_MODES, PRESET_KERNELS, apply_kernel, preset_kernel, resize_kernel

__all__ = [
    "PADDING_KINDS",
    "PADDING_MODES",
    "PRESET_KERNELS",
    "LayerGeometry",
    "apply_kernel",
    "conv_output_size",
    "geometry_table",
    "output_size_formula",
    "padding_amount",
    "pool_output_size",
    "preset_kernel",
    "receptive_field",
    "resize_kernel",
]

#: The padding kinds :func:`padding_amount` knows (none, keep the size, every overlap).
PADDING_KINDS = ("valid", "same", "full")


def padding_amount(kind: str | int, kernel_size: int, dilation: int = 1) -> int:
    """Padding (per side) for a padding kind: ``"valid"`` 0, ``"same"`` keeps the size, ``"full"``.

    ``"same"`` with an even effective kernel needs one more pixel on one side than the other, as
    PyTorch does; this returns the smaller side, and :func:`conv_output_size` accounts for both.

    Examples
    --------
    >>> from ainotes.conv import padding_amount
    >>> padding_amount("valid", 3), padding_amount("same", 3), padding_amount("full", 3)
    (0, 1, 2)
    """
    kernel_size = whole(kernel_size, "kernel_size", least=1)
    dilation = whole(dilation, "dilation", least=1)
    if not isinstance(kind, str):
        return whole(kind, "padding", least=0, example="padding=1 (pixels per side)")
    span = dilation * (kernel_size - 1)
    return {"valid": 0, "same": span // 2, "full": span}[choice(kind, "padding", PADDING_KINDS)]


def conv_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
) -> int:
    """Output size of a convolution along one dimension, as ``nn.Conv2d`` computes it.

    Parameters
    ----------
    size : int
        Input height (or width).
    kernel_size, stride, dilation : int
    padding : int or {"valid", "same", "full"}
        Pixels added on each side, or a padding kind. ``"same"`` (output size = input size)
        needs ``stride=1``, as in PyTorch.

    Examples
    --------
    >>> from ainotes.conv import conv_output_size
    >>> conv_output_size(28, 3)  # a 3x3 kernel loses one pixel on each side
    26
    >>> conv_output_size(28, 3, stride=2, padding=1)
    14
    >>> conv_output_size(32, 3, padding="same"), conv_output_size(32, 3, padding="full")
    (32, 34)
    """
    size = whole(size, "size", least=1)
    kernel_size, stride = whole(kernel_size, "kernel_size", least=1), whole(stride, "stride", least=1)
    dilation = whole(dilation, "dilation", least=1)
    pad = padding_amount(padding, kernel_size, dilation)
    span = dilation * (kernel_size - 1)
    total_padding = 2 * pad
    if padding == "same":
        if stride != 1:
            raise ValueError(f"padding='same' needs stride=1 (got stride={stride}); give a number of pixels instead.")
        total_padding = span  # both sides together, one more on the right when span is odd
    padded = size + total_padding
    if span + 1 > padded:
        what = f"kernel_size={kernel_size}" + (
            f" with dilation={dilation} (spanning {span + 1})" if dilation > 1 else ""
        )
        raise ValueError(
            f"{what} is larger than the padded input ({size} + padding {total_padding} = {padded}): "
            "use a smaller kernel or more padding."
        )
    return (padded - span - 1) // stride + 1


def output_size_formula(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
) -> str:
    """The output-size formula with the numbers filled in, ending in the result.

    Examples
    --------
    >>> from ainotes.conv import output_size_formula
    >>> output_size_formula(28, 3, stride=2, padding=1)
    '(28 + 2×1 − 1×(3 − 1) − 1) // 2 + 1 = 14'
    >>> output_size_formula(28, 5, padding="same")
    "padding='same' adds 4 in all (2 per side): (28 + 4 − 1×(5 − 1) − 1) // 1 + 1 = 28"
    """
    out = conv_output_size(size, kernel_size, stride, padding, dilation)
    pad = padding_amount(padding, kernel_size, dilation)
    if padding == "same":
        total = dilation * (kernel_size - 1)
        sides = f"{pad} per side" if total % 2 == 0 else f"{pad} and {total - pad} on the two sides"
        return (f"padding='same' adds {total} in all ({sides}): "
                f"({size} + {total} − {dilation}×({kernel_size} − 1) − 1) // {stride} + 1 = {out}")  # fmt: skip
    text = f"({size} + 2×{pad} − {dilation}×({kernel_size} − 1) − 1) // {stride} + 1 = {out}"
    return f"padding={padding!r} means {pad} per side: {text}" if isinstance(padding, str) else text


def pool_output_size(
    size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output size of max or average pooling along one dimension (``stride`` defaults to the kernel).

    Examples
    --------
    >>> from ainotes.conv import pool_output_size
    >>> (
    ...     pool_output_size(26, 2),
    ...     pool_output_size(11, 2),
    ...     pool_output_size(11, 2, ceil_mode=True),
    ... )
    (13, 5, 6)
    """
    kernel_size = whole(kernel_size, "kernel_size", least=1)
    stride = kernel_size if stride is None else stride
    padding, ceil_mode = whole(padding, "padding", least=0, example="padding=1"), flag(ceil_mode, "ceil_mode")
    if padding > kernel_size // 2:
        raise ValueError(
            f"padding={padding} is too large: pooling allows at most half the kernel ({kernel_size // 2})."
        )
    if not ceil_mode:
        return conv_output_size(size, kernel_size, stride, padding, dilation)
    # ceil_mode lets the last window hang over the edge, so a kernel may exceed the input.
    size, stride = whole(size, "size", least=1), whole(stride, "stride", least=1)
    dilation = whole(dilation, "dilation", least=1)
    span = dilation * (kernel_size - 1)
    out = math.ceil((size + 2 * padding - span - 1) / stride) + 1
    if (out - 1) * stride >= size + padding:  # PyTorch: the last window must start inside the input
        out -= 1
    if out < 1:
        raise ValueError(f"kernel_size={kernel_size} leaves no window on an input of {size} with padding {padding}.")
    return out


@dataclass(frozen=True)
class LayerGeometry:
    """How one layer changes the grid: its settings, and what one output pixel sees (``pool``: a pooling layer).

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.conv import receptive_field
    >>> receptive_field(nn.Sequential(nn.Conv2d(1, 8, 5, stride=2)), input_size=28)[0]
    LayerGeometry(name='conv 1', kernel_size=5, stride=2, padding=0, dilation=1, receptive_field=5, jump=2, \
output_size=12, pool=False)
    """

    name: str
    kernel_size: int
    stride: int
    padding: int | str
    dilation: int
    receptive_field: int
    jump: int
    output_size: int | None = None
    pool: bool = False


def receptive_field(layers: nn.Sequential | Iterable[Any], input_size: int | None = None) -> list[LayerGeometry]:
    """Receptive field of every grid-changing layer: how many input pixels one output pixel sees.

    Reads an ``nn.Sequential`` (convolution and pooling layers; activations, normalisation and
    dropout keep the grid; it stops at the first ``Flatten``, ``Linear`` or adaptive pooling) or a
    list of layers or of dicts such as ``{"kernel_size": 3, "stride": 2, "padding": 1}`` (add
    ``"pool": True`` for pooling). Nested ``nn.Sequential`` blocks are read in order. A layer whose
    effect on the grid is not modelled here (a transposed convolution, upsampling, a module with
    its own ``forward`` such as a residual block) raises an error naming it. Layers are named by
    kind and position: ``"conv 1"``, ``"pool 2"``, ... (a dict may give its own ``"name"``).

    With each layer, the receptive field grows by ``(kernel span - 1) x jump``, where the *jump*
    is the distance, in input pixels, between neighbouring positions of the layer's input; every
    stride multiplies the jump.

    Parameters
    ----------
    layers : nn.Sequential or iterable of nn.Module / dict
    input_size : int, optional
        Input height (or width); when given, each entry also has its ``output_size``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.conv import receptive_field
    >>> stack = nn.Sequential(
    ...     nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3)
    ... )
    >>> [
    ...     (g.receptive_field, g.jump, g.output_size)
    ...     for g in receptive_field(stack, input_size=28)
    ... ]
    [(3, 1, 26), (4, 2, 13), (8, 2, 11)]
    """
    leaves = _layer_list(layers)
    if isinstance(input_size, (tuple, list, torch.Size)):
        side = input_size[-1] if input_size and isinstance(input_size[-1], int) else 28
        raise TypeError(f"input_size must be the image side in pixels, a whole number, got {tuple(input_size)}: "
                        f"e.g. input_size={side}.")  # fmt: skip
    size = None if input_size is None else whole(input_size, "input_size", least=1, example="input_size=28")
    geometry: list[LayerGeometry] = []
    field, jump = 1, 1
    for position, (label, layer) in enumerate(leaves):
        settings = _layer_settings(layer, len(geometry) + 1, label)
        if settings == _STOP:
            _after_the_end(leaves[position + 1 :], label, layer)
            break
        if settings == _SAME:
            continue
        name, s = settings
        kernel = whole(s["kernel_size"], f"{name}: kernel_size", least=1)
        stride = whole(s["stride"], f"{name}: stride", least=1)
        dilation = whole(s["dilation"], f"{name}: dilation", least=1)
        if size is not None:
            if s["pool"]:
                size = pool_output_size(size, kernel, stride, s["padding"], dilation, s["ceil_mode"])
            else:
                size = conv_output_size(size, kernel, stride, s["padding"], dilation)
        else:
            padding_amount(s["padding"], kernel, dilation)  # validates the padding
        field += dilation * (kernel - 1) * jump
        jump *= stride
        geometry.append(LayerGeometry(name, kernel, stride, s["padding"], dilation, field, jump, size, s["pool"]))
    if not geometry:
        raise ValueError("No convolution or pooling layer found: there is no receptive field to compute.")
    return geometry


def geometry_table(geometry: Sequence[LayerGeometry]) -> str:
    """The result of :func:`receptive_field` as a text table, one row per layer.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.conv import geometry_table, receptive_field
    >>> stack = nn.Sequential(nn.Conv2d(1, 8, 3), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3))
    >>> print(geometry_table(receptive_field(stack, input_size=28)))
    layer          kernel stride  field  jump  output
    conv 1              3      1      3     1      26
    pool 2              2      2      4     2      13
    conv 3              3      1      8     2      11
    """
    use = "geometry_table(receptive_field(model, input_size=28))"
    if isinstance(geometry, nn.Module):
        raise TypeError(f"geometry must be what receptive_field returns, not a {type(geometry).__name__}: use {use}.")
    geometry = nonempty(geometry, "geometry", example=use)
    for g in geometry:
        if not isinstance(g, LayerGeometry):
            raise TypeError(f"geometry must be the list receptive_field returns, but it holds a {type(g).__name__}: "
                            f"use {use}.")  # fmt: skip
    rows = [f"{'layer':<14}{'kernel':>7}{'stride':>7}{'field':>7}{'jump':>6}{'output':>8}"]
    for g in geometry:
        out = "" if g.output_size is None else str(g.output_size)
        rows.append(f"{g.name:<14}{g.kernel_size:>7}{g.stride:>7}{g.receptive_field:>7}{g.jump:>6}{out:>8}")
    return "\n".join(rows)
