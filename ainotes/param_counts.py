"""Parameter counts of a layer stack from its settings, without building it.

Chapter 4 compares a fully connected network with a small CNN. These pure functions give the
count of every layer from the settings alone (image size, channels, widths, kernel size), so the
parameter-count explorer and the exercises can try sizes whose models would not fit in memory: a
fully connected layer on a 1024×1024 photo has billions of weights. Each count is what PyTorch's
``nn.Linear`` and ``nn.Conv2d`` allocate; the tests build the models and compare.

The two families:

* **fully connected**: flatten, then ``nn.Linear`` layers of widths ``hidden``, then one to the
  classes (chapter 4's 3072 → 1024 → 512 → 128 → 10);
* **convolutional**: for each width in ``conv_channels``, ``nn.Conv2d(kernel_size,
  padding=kernel_size // 2)`` (which keeps the size for an odd kernel) and ``nn.MaxPool2d(2)``
  (which halves it, rounding down); then flatten, ``nn.Linear(..., hidden)`` and
  ``nn.Linear(hidden, classes)``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from torch import nn

from ainotes.arguments import _a, nonempty, whole

__all__ = ["LayerCount", "cnn_counts", "fc_counts", "total_parameters"]


@dataclass(frozen=True)
class LayerCount:
    """The parameters of one layer, and the shape of what comes out (without the batch).

    Examples
    --------
    >>> from ainotes.param_counts import fc_counts
    >>> first = fc_counts(28, 1, hidden=[128])[0]
    >>> first
    LayerCount(layer='Linear 784→128', weights=100352, biases=128, output_shape=(128,))
    >>> first.total
    100480
    """

    layer: str
    weights: int
    biases: int
    output_shape: tuple[int, ...]

    @property
    def total(self) -> int:
        """Weights plus biases."""
        return self.weights + self.biases


def _widths(values: Any, name: str) -> tuple[int, ...]:
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        values = (values,)
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of widths, like (1024, 512, 128); got {values!r}.")
    return tuple(whole(v, f"each of {name}", least=1) for v in values)


def _linear(n_in: int, n_out: int) -> LayerCount:
    return LayerCount(f"Linear {n_in:,}→{n_out:,}", n_in * n_out, n_out, (n_out,))


def fc_counts(image_size: int = 32, channels: int = 3, hidden: Sequence[int] = (1024, 512, 128),
              classes: int = 10) -> list[LayerCount]:  # fmt: skip
    """Per-layer parameter counts of a fully connected network on images of ``channels × size × size`` values.

    Parameters
    ----------
    image_size : int, default 32
        Height and width of the (square) input images.
    channels : int, default 3
        Colour channels (3) or grey (1).
    hidden : sequence of int, default (1024, 512, 128)
        Widths of the hidden layers; may be empty (a linear classifier).
    classes : int, default 10
        Outputs of the last layer.

    Returns
    -------
    list of LayerCount
        One per ``nn.Linear``, in order.

    Examples
    --------
    >>> from ainotes.param_counts import fc_counts, total_parameters
    >>> layers = fc_counts(32, 3)
    >>> [layer.weights for layer in layers], total_parameters(layers)
    ([3145728, 524288, 65536, 1280], 3738506)
    """
    size, channels = whole(image_size, "image_size", least=1), whole(channels, "channels", least=1)
    widths = (size * size * channels, *_widths(hidden, "hidden"), whole(classes, "classes", least=1))
    return [_linear(a, b) for a, b in zip(widths, widths[1:])]


def cnn_counts(image_size: int = 32, channels: int = 3, conv_channels: Sequence[int] = (16, 8),
               kernel_size: int = 3, hidden: int = 32, classes: int = 10) -> list[LayerCount]:  # fmt: skip
    """Per-layer parameter counts of a small CNN: (conv, pool) blocks, then two linear layers.

    Each block is ``nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2)``, which keeps
    the size, and ``nn.MaxPool2d(2)``, which halves it (rounding down). Pooling layers have no
    parameters but are listed, so the shapes can be followed.

    Parameters
    ----------
    image_size, channels : int
        The (square) input images: size and channels.
    conv_channels : sequence of int, default (16, 8)
        Output channels of each convolution.
    kernel_size : int, default 3
        An odd kernel size, so that the padding keeps the size.
    hidden, classes : int
        Widths of the two linear layers after the flatten.

    Examples
    --------
    >>> from ainotes.param_counts import cnn_counts, total_parameters
    >>> layers = cnn_counts(32, 3)
    >>> [layer.total for layer in layers], total_parameters(layers)
    ([448, 0, 1160, 0, 16416, 330], 18354)
    >>> layers[3].output_shape  # after the second pooling: flattened to 512
    (8, 8, 8)
    """
    size, c_in = whole(image_size, "image_size", least=1), whole(channels, "channels", least=1)
    k = whole(kernel_size, "kernel_size", least=1)
    if k % 2 == 0:
        raise ValueError(f"kernel_size={k} is even: padding k // 2 keeps the size only for odd kernels "
                         "(1, 3, 5, 7, ...). Choose an odd kernel size.")  # fmt: skip
    widths = _widths(conv_channels, "conv_channels")
    if not widths:
        raise ValueError("conv_channels is empty: a CNN needs at least one convolution, e.g. conv_channels=(16, 8).")
    if size < 2 ** len(widths):
        raise ValueError(f"A {size}×{size} image cannot be pooled {len(widths)} times: each 2×2 pooling halves "
                         f"the size, so it needs at least {2 ** len(widths)} pixels. Use fewer convolution "
                         "layers or larger images.")  # fmt: skip
    layers = []
    for c_out in widths:
        layers.append(LayerCount(f"Conv2d {c_in}→{c_out}, {k}×{k}", c_out * c_in * k * k, c_out, (c_out, size, size)))
        size //= 2
        layers.append(LayerCount("MaxPool2d 2×2", 0, 0, (c_out, size, size)))
        c_in = c_out
    layers.append(_linear(c_in * size * size, whole(hidden, "hidden", least=1)))
    layers.append(_linear(hidden, whole(classes, "classes", least=1)))
    return layers


def total_parameters(layers: Sequence[LayerCount]) -> int:
    """The sum of the layers' weights and biases.

    Examples
    --------
    >>> from ainotes.param_counts import fc_counts, total_parameters
    >>> f"{total_parameters(fc_counts(1024, 3, hidden=(1024,), classes=10)):,}"
    '3,221,236,746'
    """
    use = "total_parameters(fc_counts(32, 3))"
    if isinstance(layers, nn.Module):
        raise TypeError(f"layers must be what fc_counts or cnn_counts returns, not a {type(layers).__name__}: count "
                        "a model's parameters with ainotes.train.count_parameters(model).")  # fmt: skip
    layers = nonempty(layers, "layers", example=use)
    for layer in layers:
        if not isinstance(layer, LayerCount):
            raise TypeError(f"layers must be the list fc_counts or cnn_counts returns, but it holds "
                            f"{_a(layer)}: e.g. {use}.")  # fmt: skip
    return sum(layer.total for layer in layers)
