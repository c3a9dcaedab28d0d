"""Self-checks for classroom exercises: right or wrong, and why.

Each ``check_...`` function compares a reader's answer with what PyTorch (or the formula) gives
and returns a :class:`Feedback`, which a notebook shows as a coloured box. An answer left as
``None`` gets a reminder instead of a verdict, so a notebook runs top to bottom before anyone
has answered.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ainotes.conv import conv_output_size, output_size_formula, receptive_field

__all__ = [
    "Feedback",
    "check_flatten_size",
    "check_output_shape",
    "check_output_size",
    "check_parameter_count",
    "check_receptive_field",
    "parse_shape",
]

_NO_ANSWER = "Not answered yet: replace `None` with your answer and run the cell again."


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. ``correct`` is None when there was no answer yet."""

    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "✓ Right.", False: "✗ Not quite.", None: "…"}[self.correct]
        return f"{mark} {self.message}"

    def _repr_html_(self) -> str:
        colour = {True: "#1a7f37", False: "#cf222e", None: "#6e7781"}[self.correct]
        mark = {True: "✓ Right.", False: "✗ Not quite.", None: "…"}[self.correct]
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.message))
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
                f'<b style="color:{colour}">{mark}</b> {text}</div>')  # fmt: skip


def _whole_number(answer: Any, what: str) -> int | Feedback:
    if answer is None:
        return Feedback(None, _NO_ANSWER)
    if isinstance(answer, bool) or not isinstance(answer, int):
        if isinstance(answer, float) and answer.is_integer():
            return int(answer)
        return Feedback(False, f"{what} is a whole number; you gave {answer!r}.")
    return answer


def check_output_size(answer: int | None, size: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                      dilation: int = 1) -> Feedback:  # fmt: skip
    """Check an answer for the output height (or width) of a convolution.

    Examples
    --------
    >>> from ainotes.exercises import check_output_size
    >>> check_output_size(26, size=28, kernel_size=3)
    ✓ Right. (28 + 2×0 − 1×(3 − 1) − 1) // 1 + 1 = 26
    """
    value = _whole_number(answer, "An output size")
    if isinstance(value, Feedback):
        return value
    expected = conv_output_size(size, kernel_size, stride, padding, dilation)
    formula = output_size_formula(size, kernel_size, stride, padding, dilation)
    if value == expected:
        return Feedback(True, formula)
    hint = ""
    if value == size and expected != size:
        hint = " Without enough padding, a kernel cannot centre on the border pixels, so the output shrinks."
    elif value == expected - 1:
        hint = " Did you forget the `+ 1`? It counts the kernel's first position."
    return Feedback(False, f"You said {value}, but {formula}.{hint}")


def parse_shape(text: str | Sequence[int] | torch.Size) -> tuple[int, ...]:
    """Read a shape written as ``"1, 16, 30, 30"``, ``"[1, 16, 30, 30]"``, a list or a ``torch.Size``.

    Examples
    --------
    >>> from ainotes.exercises import parse_shape
    >>> parse_shape("torch.Size([1, 16, 30, 30])")
    (1, 16, 30, 30)
    """
    if isinstance(text, str):
        cleaned = text.replace("torch.Size", "")
        if not re.fullmatch(r"[\s\[\]\(\),\dx×]*", cleaned) or not re.search(r"\d", cleaned):
            raise ValueError(
                f"Could not read a shape from {text!r}: write numbers separated by commas, like 1, 16, 30, 30."
            )
        return tuple(int(n) for n in re.findall(r"\d+", cleaned))
    return tuple(int(n) for n in text)


def check_output_shape(answer: str | Sequence[int] | None, input_shape: Sequence[int], layer: nn.Module) -> Feedback:
    """Check a predicted output shape by running ``layer`` on zeros of ``input_shape``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.exercises import check_output_shape
    >>> check_output_shape("1, 16, 30, 30", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)).correct
    True
    """
    if answer is None:
        return Feedback(None, _NO_ANSWER)
    try:
        given = parse_shape(answer)
    except ValueError as exc:
        return Feedback(False, str(exc))
    with torch.no_grad():
        expected = tuple(layer(torch.zeros(*input_shape)).shape)
    shown = f"[{', '.join(map(str, expected))}]"
    if given == expected:
        return Feedback(True, f"`{layer}` turns {list(input_shape)} into {shown}.")
    hint = ""
    if len(given) != len(expected):
        hint = f" The output has {len(expected)} dimensions: batch, channels, height, width."
    elif given[1] != expected[1]:
        hint = " The number of channels out is the layer's `out_channels`, whatever comes in."
    elif given[0] != expected[0]:
        hint = " A layer never changes the batch size."
    return Feedback(False, f"You said [{', '.join(map(str, given))}], but `{layer}` gives {shown}.{hint}")


def check_parameter_count(answer: int | None, layer: nn.Module) -> Feedback:
    """Check an answer for the number of parameters (weights and biases) of ``layer``."""
    value = _whole_number(answer, "A parameter count")
    if isinstance(value, Feedback):
        return value
    counts = {name: p.numel() for name, p in layer.named_parameters()}
    expected = sum(counts.values())
    parts = " + ".join(f"{n:,} ({name})" for name, n in counts.items())
    if value == expected:
        return Feedback(True, f"{parts} = {expected:,}.")
    hint = ""
    if "bias" in counts and value == expected - counts["bias"]:
        hint = " You forgot the biases: one per output channel."
    return Feedback(False, f"You said {value:,}, but {parts} = {expected:,}.{hint}")


def check_receptive_field(answer: int | None, layers: nn.Sequential | Iterable[Any]) -> Feedback:
    """Check an answer for the receptive field of the last grid layer of ``layers``."""
    value = _whole_number(answer, "A receptive field")
    if isinstance(value, Feedback):
        return value
    geometry = receptive_field(layers)
    path = " → ".join(str(g.receptive_field) for g in geometry)
    expected = geometry[-1].receptive_field
    if value == expected:
        return Feedback(
            True, f"Layer by layer the field grows {path}: one output pixel sees {expected}×{expected} input pixels."
        )
    return Feedback(False, f"You said {value}, but layer by layer the field grows {path}. Each layer adds "
                           "(kernel size − 1) × (product of the strides before it).")  # fmt: skip


def check_flatten_size(answer: int | None, features: nn.Module, input_shape: Sequence[int]) -> Feedback:
    """Check the number of features that reach the first ``nn.Linear`` after flattening.

    ``features`` is the part of the model before the flatten (convolutions and pooling).
    """
    value = _whole_number(answer, "A flatten size")
    if isinstance(value, Feedback):
        return value
    with torch.no_grad():
        out = features(torch.zeros(1, *input_shape[-3:]))
    channels, height, width = out.shape[1:]
    expected = channels * height * width
    if value == expected:
        return Feedback(True, f"The feature maps are {channels}×{height}×{width}, so {expected:,} values per image.")
    return Feedback(False, f"You said {value:,}, but the feature maps that reach the flatten are {channels}×{height}×{width} "
                           f"= {expected:,} values per image. Follow the height through every layer.")  # fmt: skip
