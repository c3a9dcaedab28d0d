"""Checks of the arguments that set up a self-check question: a shape, and whether a layer fits its input.

Like :mod:`ainotes.arguments`, each raises a clear ``TypeError`` or ``ValueError`` that names the
argument, before any call into PyTorch. :func:`layer_problem` explains, before PyTorch would
raise, why a layer cannot take an input of a given shape (channels, features, dimensions).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ainotes.arguments import module


def question_shape(value: Any, name: str, *, example: str = "(1, 3, 32, 32)") -> tuple[int, ...]:
    """``value`` as a tuple of ints if it is a sequence of positive whole numbers (NumPy ints too).

    Examples
    --------
    >>> from ainotes._questions import question_shape
    >>> question_shape([1, 3, 32, 32], "input_shape")
    (1, 3, 32, 32)
    >>> question_shape("1, 3, 32, 32", "input_shape")
    Traceback (most recent call last):
    ...
    TypeError: input_shape must be a sequence of whole numbers, like (1, 3, 32, 32); got the string '1, 3, 32, 32'.
    """
    if isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a sequence of whole numbers, like {example}; got a tensor of shape "
                        f"{tuple(value.shape)} (for its shape write x.shape).")  # fmt: skip
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of whole numbers, like {example}; got the string {value!r}.")
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence of whole numbers, like {example}; got {value!r}.")
    if any(isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)) for n in value):
        raise TypeError(f"{name}={value!r} must hold whole numbers only, like {example}.")
    if not value or any(n < 1 for n in value):
        raise ValueError(f"{name}={tuple(int(n) for n in value)!r} is not a shape: give positive whole numbers, "
                         f"like {example}.")  # fmt: skip
    return tuple(int(n) for n in value)


def answer_sizes(value: Any, name: str, *, example: str = "(1, 16, 30, 30)") -> tuple[int, ...]:
    """``value`` as a tuple of ints if it is a sequence of whole numbers: a shape as answered (0 and () allowed).

    Examples
    --------
    >>> from ainotes._questions import answer_sizes
    >>> answer_sizes([1, 16, 30, 30], "given")
    (1, 16, 30, 30)
    >>> answer_sizes(None, "given")
    Traceback (most recent call last):
    ...
    TypeError: given must be a sequence of whole numbers, like (1, 16, 30, 30); got None.
    """
    if isinstance(value, (np.ndarray, torch.Tensor)) and value.ndim == 1:
        value = value.tolist()
    if (isinstance(value, (str, bytes)) or not isinstance(value, Sequence)
            or any(isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)) for n in value)):  # fmt: skip
        raise TypeError(f"{name} must be a sequence of whole numbers, like {example}; got {value!r}.")
    return tuple(int(n) for n in value)


def parameter_counts(layer: nn.Module, name: str = "layer") -> dict[str, int]:
    """The size of each parameter of ``layer``, by name; a ValueError for a lazy layer, whose sizes are not known yet.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes._questions import parameter_counts
    >>> parameter_counts(nn.Linear(4, 2))
    {'weight': 8, 'bias': 2}
    """
    lazy = [n for n, p in layer.named_parameters() if isinstance(p, nn.parameter.UninitializedParameter)]
    if lazy:
        raise ValueError(f"{name}={layer} is a lazy layer: the sizes of its parameters ({', '.join(lazy)}) are known "
                         "only after its first forward pass. Run it once on an input, or give its input size, e.g. "
                         f"{_eager_example(layer)}.")  # fmt: skip
    return {n: p.numel() for n, p in layer.named_parameters()}


def _eager_example(layer: nn.Module) -> str:
    """How to write the first lazy layer in ``layer`` with its input size, e.g. nn.Conv2d(in_channels, 4, 3)."""
    lazy = next((m for m in layer.modules() if isinstance(m, nn.modules.lazy.LazyModuleMixin)), None)
    if lazy is None or not type(lazy).__name__.startswith("Lazy"):
        return "nn.Linear(8, 3) instead of nn.LazyLinear(3)"
    if isinstance(lazy, nn.Linear):
        given, size = f"{lazy.out_features}", "in_features"
    elif isinstance(lazy, nn.modules.conv._ConvNd):
        k = lazy.kernel_size[0] if len(set(lazy.kernel_size)) == 1 else lazy.kernel_size
        given, size = f"{lazy.out_channels}, {k}", "in_channels"
    else:
        given, size = "", "num_features"
    name = type(lazy).__name__
    return f"nn.{name[4:]}({', '.join(filter(None, (size, given)))}) instead of nn.{name}({given})"


_SIDES = ("depth", "height", "width")


def layer_problem(layer: nn.Module, shape: tuple[int, ...]) -> str:
    """Why ``layer`` (itself, not its submodules) cannot take an input of ``shape``; "" if nothing is seen.

    Convolutions check their dimensions and ``in_channels``, ``nn.Linear`` its ``in_features``
    (on the last dimension) and batch norm its ``num_features``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes._questions import layer_problem
    >>> layer_problem(nn.Conv2d(3, 16, 3), (1, 1, 28, 28))
    'Conv2d takes 3 input channels (in_channels=3) but gets 1: give the input 3, or the layer in_channels=1'
    >>> layer_problem(nn.Conv2d(3, 16, 3), (1, 3, 28, 28))
    ''
    """
    if isinstance(layer, nn.modules.lazy.LazyModuleMixin):
        return ""  # its sizes are not known before its first input
    kind = type(layer).__name__
    if isinstance(layer, nn.modules.conv._ConvNd):
        n = len(layer.kernel_size)
        if len(shape) not in (n + 1, n + 2):
            sides = ", ".join(_SIDES[-n:]) if n <= 3 else "..."
            return (f"{kind} needs {n + 2} dimensions (batch, channels, {sides}), or {n + 1} without the batch, "
                    f"not {len(shape)}")  # fmt: skip
        channels, wanted = shape[-n - 1], layer.in_channels
        if channels == wanted:
            return ""
        return (f"{kind} takes {wanted} input channel{'s' * (wanted != 1)} (in_channels={wanted}) but gets "
                f"{channels}: give the input {wanted}, or the layer in_channels={channels}")  # fmt: skip
    if isinstance(layer, nn.Linear) and shape[-1] != layer.in_features:
        features, flat = layer.in_features, math.prod(shape[1:])
        fix = (f": flatten first (nn.Flatten()), which gives {flat} features" if len(shape) > 2 and flat == features
               else f": the last dimension must be {features}")  # fmt: skip
        return f"nn.Linear works on the last dimension, which is {shape[-1]}, but in_features={features}{fix}"
    if isinstance(layer, nn.modules.batchnorm._BatchNorm) and (layer.affine or layer.track_running_stats):
        if len(shape) >= 2 and shape[1] != layer.num_features:
            return (f"{kind} normalises {layer.num_features} channels (num_features={layer.num_features}) but "
                    f"dimension 1 of its input has {shape[1]}: use nn.{kind}({shape[1]})")  # fmt: skip
    return ""


# The largest input (in values) a check builds to run a layer on: 64 MB of float32 zeros.
_MOST_VALUES = 1 << 24


def shape_on_zeros(layer: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape ``layer`` gives for zeros of ``shape``; a ValueError that explains why it cannot run on it.

    Each layer inside ``layer`` is checked by :func:`layer_problem` on the input that reaches it,
    before it runs (a forward pre-hook, removed afterwards); any other error of the forward pass
    becomes a ValueError that names the layer and the shape.
    """
    if math.prod(shape) > _MOST_VALUES:
        raise ValueError(f"input_shape={shape} holds {math.prod(shape):,} values: the check runs the layer on zeros "
                         f"of that shape, which needs too much memory. Ask about one image, e.g. {(1, *shape[1:])}.")  # fmt: skip
    names = {m: name for name, m in layer.named_modules()}

    def fits(inner: nn.Module, args: tuple) -> None:
        if args and isinstance(args[0], torch.Tensor) and layer_problem(inner, tuple(args[0].shape)):
            raise _Mismatch(inner, tuple(args[0].shape))

    hooks = [inner.register_forward_pre_hook(fits) for inner in layer.modules()]
    try:
        with torch.no_grad():
            output = layer(torch.zeros(*shape))
    except _Mismatch as mismatch:
        inner, got = mismatch.args
        where = "" if inner is layer else f"layer {names[inner]}, {inner}, gets shape {list(got)} and "
        raise ValueError(f"{layer} cannot run on an input of shape {list(shape)}: {where}"
                         f"{layer_problem(inner, got)}.") from None  # fmt: skip
    except (RuntimeError, IndexError, TypeError, ValueError, AttributeError, NotImplementedError) as exc:
        raise ValueError(f"{layer} cannot run on an input of shape {list(shape)}: {exc}. "
                         "Fix the layer or the input shape.") from None  # fmt: skip
    finally:
        for hook in hooks:
            hook.remove()
    if not isinstance(output, torch.Tensor):  # an LSTM gives (output, (h, c)): no single shape to ask about
        raise ValueError(f"layer {layer} returns a {type(output).__name__}, not one tensor: these checks ask about "
                         "layers that return one tensor, whose shape is the answer; give such a layer.")  # fmt: skip
    return tuple(output.shape)


class _Mismatch(Exception):
    """A layer that cannot take the input that reaches it: (layer, its input's shape)."""


def receptive_layers(layers: Any) -> nn.Module | list[Any]:
    """``layers`` for :func:`~ainotes.conv.receptive_field`: a model, one layer (as a list) or a list of layers."""
    example = "nn.Sequential(nn.Conv2d(1, 8, 3), nn.Conv2d(8, 8, 3))"
    if isinstance(layers, (nn.Sequential, nn.ModuleList)):
        return layers
    if isinstance(layers, nn.Module):
        return [layers]
    if isinstance(layers, type) or isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        module(layers, "layers", example=example)  # raises: a layer class, a name or a number
    items = list(layers)
    if not items:
        raise ValueError(f"layers is empty: give the convolution and pooling layers, e.g. {example}.")
    for i, item in enumerate(items):
        if isinstance(item, type) or isinstance(item, (str, bytes)):
            module(item, f"layers[{i}]", example="nn.Conv2d(1, 8, 3)")  # raises
    return items
