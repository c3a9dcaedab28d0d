"""Hints for wrong answers to the self-checks of chapter 3 (images as tensors), recognised by value.

Each ``..._hint`` function recomputes the question the way a common mistake would (reading
``permute``'s dims the wrong way round, forgetting to divide by the std, counting bits, averaging
per-image stds, ...) and returns the hint for the first mistake that gives the reader's answer,
or ``""`` when none does. A hint never contains the right answer. Each ``GENERIC_...`` text points
to the method for answers no known mistake explains.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from ainotes._questions import answer_sizes, question_shape
from ainotes.arguments import _count, choice, function, real, tensor

__all__ = [
    "GENERIC_MEAN_STD",
    "GENERIC_MEMORY",
    "GENERIC_NORMALIZED",
    "GENERIC_PERMUTE",
    "GENERIC_UNNORMALIZE",
    "UNITS",
    "mean_std_hint",
    "memory_hint",
    "normalized_pixel_hint",
    "permute_hint",
    "unnormalize_error_hint",
    "unnormalize_hint",
]

#: Bytes in one of each memory unit, decimal (kB, MB, GB) and binary (KiB, MiB, GiB).
UNITS: dict[str, int] = {"B": 1, "kB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
_COUNTERPART = {"kB": "KiB", "MB": "MiB", "GB": "GiB", "KiB": "kB", "MiB": "MB", "GiB": "GB"}
_DIM_NAMES = {4: ("batch", "channels", "height", "width"), 3: ("channels", "height", "width")}

#: Hint for a wrong shape after ``permute`` that matches no common mistake.
GENERIC_PERMUTE = "Go position by position: `x.permute(*dims)` puts old dimension `dims[i]` at position i."
#: Hint for a wrong normalised pixel that matches no common mistake.
GENERIC_NORMALIZED = "Work channel by channel: Normalize computes (pixel − mean) / std, with the pixel in [0, 1]."
#: Hint for a wrong memory size that matches no common mistake.
GENERIC_MEMORY = ("Multiply all the sizes in the shape to count the values, multiply by the bytes each value takes, "
                  "then convert the bytes to the unit asked for.")  # fmt: skip
#: Hint for a wrong ``unnormalize`` that matches no common mistake.
GENERIC_UNNORMALIZE = "Normalize computed (x − mean) / std for each channel: undo its two steps in reverse order."
#: Hint for a wrong per-channel mean or std that matches no common mistake.
GENERIC_MEAN_STD = ("Take each channel's mean and std over all of its pixels in all the images at once, with pixels "
                    "in [0, 1].")  # fmt: skip


def _reals(value: Any, name: str, *, example: str, least: int = 1) -> list[float]:
    """``value`` (a sequence or 1-D tensor) as a list of at least ``least`` finite floats; a clear error otherwise."""
    if isinstance(value, torch.Tensor) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list of numbers, got {value!r} ({type(value).__name__}): e.g. {example}.")
    if len(value) < least:
        raise ValueError(f"{name} is empty: give at least one number, e.g. {example}.")
    return [real(v, f"{name}[{i}]") for i, v in enumerate(value)]


def _normalized(pixel: float, mean: Sequence[float], std: Sequence[float]) -> list[float]:
    """(pixel − mean) / std per channel; a ValueError if a std is not positive or a value is not finite."""
    if min(std) <= 0:
        raise ValueError(f"std={std!r} must be positive: Normalize divides by it.")
    values = [(pixel - m) / s for m, s in zip(mean, std)]
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"std={std!r} is too small: (pixel − mean) / std is not a finite number; give a std such as "
                         "0.3081.")  # fmt: skip
    return values


def _first(close: Callable[[object, object], bool], value: object, expected: object,
           candidates: list[tuple[object, str]]) -> str:  # fmt: skip
    """The hint of the first candidate ``value`` is close to, skipping candidates close to ``expected``."""
    for guess, hint in candidates:
        if not close(guess, expected) and close(value, guess):
            return hint
    return ""


def permute_hint(given: Sequence[int], shape: Sequence[int], dims: Sequence[int]) -> str:
    """The hint for a wrong shape after ``permute``; ``dims`` hold no negative numbers (always a hint).

    Examples
    --------
    >>> from ainotes.image_hints import permute_hint
    >>> permute_hint((64, 32, 3, 32), (64, 3, 32, 32), (0, 2, 3, 1))[:48]
    'You read `dims` as where each old dimension goes'
    """
    given = answer_sizes(given, "given", example="(64, 32, 32, 3)")
    shape = question_shape(shape, "shape", example="(64, 3, 32, 32)")
    dims, n = answer_sizes(dims, "dims", example="(0, 2, 3, 1)"), len(shape)
    if sorted(dims) != list(range(n)):
        raise ValueError(f"dims={dims!r} is not a reordering of the {n} dimensions of {list(shape)}: give each of "
                         f"0 … {n - 1} once (no negative numbers).")  # fmt: skip
    if len(given) != n:
        return f"The tensor has {n} dimensions and `permute` only reorders them: the result has {n} too."
    if sorted(given) != sorted(shape):
        return f"`permute` only reorders the sizes: the result has the sizes of {list(shape)}, in another order."
    inverse = tuple(shape[list(dims).index(j)] for j in range(n))
    candidates: list[tuple[object, str]] = [
        (shape, "That is the shape before the permute: `permute` moves the dimensions, and their sizes move with "
         "them."),
        (inverse, "You read `dims` as where each old dimension goes. It is the other way round: `dims[i]` is the "
         "old dimension that comes to position i."),
    ]  # fmt: skip
    expected = tuple(shape[d] for d in dims)
    return _first(lambda a, b: tuple(a) == tuple(b), given, expected, candidates) or GENERIC_PERMUTE


def _all_close(tolerance: float, relative: float = 0.0) -> Callable[[object, object], bool]:
    def close(a: object, b: object) -> bool:
        a, b = list(a), list(b)  # type: ignore[call-overload]
        return len(a) == len(b) and all(abs(x - y) <= max(tolerance, relative * abs(y)) for x, y in zip(a, b))

    return close


def normalized_pixel_hint(values: Sequence[float], pixel: float, mean: Sequence[float], std: Sequence[float]) -> str:
    """The hint for wrong values of a pixel after ``Normalize(mean, std)``, or "" if no common mistake gives them.

    Examples
    --------
    >>> from ainotes.image_hints import normalized_pixel_hint
    >>> normalized_pixel_hint([-0.13], pixel=0.0, mean=[0.1307], std=[0.3081])
    'Did you forget to divide by the std? Normalize subtracts the mean, then divides by the std.'
    """
    values, pixel = _reals(values, "values", example="[-0.42]", least=0), real(pixel, "pixel", example="pixel=0.0")
    mean, std = _reals(mean, "mean", example="[0.1307]"), _reals(std, "std", example="[0.3081]")
    if len(mean) != len(std):
        raise ValueError(f"mean has {_count(len(mean), 'value')} but std has {len(std)}: give one of each per channel.")
    n, expected = len(mean), _normalized(pixel, mean, std)
    if len(values) != n:
        return (f"Give one value per channel: mean and std have {n} values each, so the pixel becomes {n} "
                "values." if n > 1 else "The image has one channel: give one value.")  # fmt: skip
    candidates: list[tuple[object, str]] = [
        ([pixel - m for m in mean], "Did you forget to divide by the std? Normalize subtracts the mean, then divides "
         "by the std."),
        ([(pixel - m) / s**2 if s**2 else math.inf for m, s in zip(mean, std)], "You divided by the variance (std²): Normalize divides by "
         "the std itself."),
        ([(pixel * 255 - m) / s for m, s in zip(mean, std)], "That puts the pixel on the 0–255 scale: after "
         "ToTensor() pixels are in [0, 1], the scale of mean and std."),
        ([(m - pixel) / s for m, s in zip(mean, std)], "The sign is flipped: it is pixel − mean, so a pixel darker "
         "than the mean becomes negative."),
        ([(pixel - m) * s for m, s in zip(mean, std)], "You multiplied by the std: Normalize divides by it."),
        ([pixel - m / s for m, s in zip(mean, std)], "Mind the brackets: subtract the mean first, then divide the "
         "difference by the std."),
    ]  # fmt: skip
    candidates = [(guess, hint) for guess, hint in candidates if all(map(math.isfinite, guess))]  # a tiny std
    return _first(_all_close(0.01, 0.005), values, expected, candidates)  # 0–255 values are large


def memory_hint(value: float, shape: Sequence[int], dtype: torch.dtype, unit: str) -> str:
    """The hint for a wrong memory size (in ``unit``) of a dense tensor, or "" if no common mistake gives it.

    Examples
    --------
    >>> from ainotes.image_hints import memory_hint
    >>> memory_hint(153.6, (50_000, 3, 32, 32), torch.float32, "MB")[:35]
    'That counts values, not bytes: mult'
    """
    value, unit = real(value, "value", example="614.4"), choice(unit, "unit", UNITS)
    shape = question_shape(shape, "shape", example="(64, 3, 32, 32)")
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch dtype, like torch.float32; got {dtype!r}.")
    per = torch.empty((), dtype=dtype).element_size()
    values = 1
    for size in shape:
        values *= size
    total, factor = values * per, UNITS[unit]
    name = str(dtype).replace("torch.", "")
    candidates: list[tuple[object, str]] = [
        (values / factor, f"That counts values, not bytes: multiply by the bytes each value takes ({name}: {per} "
         f"byte{'s' * (per != 1)}, as `x.element_size()` says)."),
        (total * 8 / factor, "That is bits: memory is counted in bytes, and a byte is 8 bits."),
    ]  # fmt: skip
    if unit in _COUNTERPART:
        other = _COUNTERPART[unit]
        candidates.append((total / UNITS[other], f"That is in {other}, not {unit}: 1 {unit} = {factor:,} bytes, "
                                                 f"while 1 {other} = {UNITS[other]:,} bytes."))  # fmt: skip
    step = 1024 if unit.endswith("iB") else 1000
    for power in (1, 2, 3):
        hint = f"Off by a factor {step**power:,}: check the unit, 1 {unit} = {factor:,} byte{'s' * (factor != 1)}."
        candidates += [(total / factor * step**power, hint), (total / factor / step**power, hint)]
    names = _DIM_NAMES.get(len(shape))
    for i, size in enumerate(shape):
        if size > 1 and len(shape) > 1:
            label = f"the {names[i]} (dimension {i}, size {size})" if names else f"dimension {i} (size {size})"
            candidates.append((total / size / factor, f"Did you leave out {label}? Multiply every size in the "
                                                      "shape."))  # fmt: skip
    return _first(lambda a, b: abs(a - b) <= 0.01 * abs(b), value, total / factor, candidates)  # type: ignore[operator]


def unnormalize_hint(output: torch.Tensor, x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> str:
    """The hint for a wrong un-normalised image (``mean`` and ``std`` of shape [3, 1, 1]), or "" if none fits.

    Examples
    --------
    >>> import torch
    >>> from ainotes.image_hints import unnormalize_hint
    >>> x, m, s = (
    ...     torch.randn(3, 2, 4),
    ...     torch.full((3, 1, 1), 0.5),
    ...     torch.full((3, 1, 1), 0.25),
    ... )
    >>> unnormalize_hint((x - m) / s, x, m, s)[:24]
    'That normalises x again:'
    """
    x = tensor(x, "x", floating=True)
    output, mean, std = (tensor(v, name, floating=True).to(x.dtype) for v, name in ((output, "output"), (mean, "mean"),
                                                                                   (std, "std")))  # fmt: skip
    if output.shape != x.shape:
        raise ValueError(f"output has shape {tuple(output.shape)} but x has shape {tuple(x.shape)}: give the output "
                         "for x, of the same shape.")  # fmt: skip
    try:
        torch.broadcast_shapes(x.shape, mean.shape, std.shape)
    except RuntimeError:
        raise ValueError(f"mean of shape {tuple(mean.shape)} and std of shape {tuple(std.shape)} do not line up with "
                         f"x of shape {tuple(x.shape)}: shape them [3, 1, 1], one value per channel.") from None  # fmt: skip
    if not bool(output.isfinite().all()):
        return "Your result holds nan or inf values: look for a division by zero, or a torch.empty tensor not filled."
    candidates: list[tuple[object, str]] = [
        (x * mean + std, "Mean and std look swapped: check which one Normalize divided by and which one it "
         "subtracted."),
        ((x + mean) * std, "Right operations, wrong order: Normalize subtracted the mean first and divided by the std "
         "second, so undoing it starts by undoing the division."),
        ((x - mean) / std, "That normalises x again: Normalize computed (x − mean) / std; undoing it takes the "
         "opposite operations, in reverse order."),
        (x * std - mean, "That subtracts the mean: to undo a subtraction, add."),
        (x / std + mean, "That divides by the std: to undo a division, multiply."),
        (x * std, "The mean is missing: after undoing the division, undo the subtraction."),
        (x + mean, "The std is missing: undo the division by the std too."),
        (x, "That is x unchanged: undo what Normalize did to it."),
    ]  # fmt: skip
    expected = x * std + mean
    return _first(lambda a, b: torch.allclose(a, b, atol=1e-4), output, expected, candidates)  # type: ignore[arg-type]


def unnormalize_error_hint(error: BaseException) -> str:
    """What to look at when the reader's ``unnormalize`` raises ``error``.

    Examples
    --------
    >>> from ainotes.image_hints import unnormalize_error_hint
    >>> unnormalize_error_hint(NameError("name 'mena' is not defined"))[:35]
    'A name is used before it is defined'
    """
    text = str(error)
    if "must match the size" in text or "could not be broadcast" in text:
        return ("Mean and std have shape [3], and broadcasting lines shapes up from the right: [3] meets the width "
                "of x [3, H, W], not its channels. Reshape them to [3, 1, 1] (`.view(3, 1, 1)` or "
                "`[:, None, None]`) so that each value covers one whole channel.")  # fmt: skip
    if isinstance(error, TypeError) and "positional argument" in text:
        return "The check calls your function with three arguments: `unnormalize(x, mean, std)`."
    if isinstance(error, (TypeError, AttributeError)):
        return ("Mean and std arrive as tuples of 3 numbers: make tensors of them first (`torch.tensor(std)`), "
                "then reshape them to [3, 1, 1].")  # fmt: skip
    if isinstance(error, NameError):
        return "A name is used before it is defined: check the spelling and the parameters (x, mean, std)."
    return "Read the message and the line of your function it points to."


def mean_std_hint(mean: Sequence[float], std: Sequence[float], expected_mean: Sequence[float],
                  expected_std: Sequence[float], tolerance: float,
                  per_image_std: Callable[[], Sequence[float]]) -> str:  # fmt: skip
    """The hint for a wrong per-channel (mean, std), or "" if no common mistake gives it.

    ``per_image_std`` computes the mean of the per-image stds, only when needed (it reads the data).

    Examples
    --------
    >>> from ainotes.image_hints import mean_std_hint
    >>> mean_std_hint([33.3], [78.6], [0.1307], [0.3081], 1e-4, lambda: [0.3])[:34]
    'Your values are above 1, so on the'
    """
    mean, std = _reals(mean, "mean", example="[0.1307]", least=0), _reals(std, "std", example="[0.3081]", least=0)
    expected_mean = _reals(expected_mean, "expected_mean", example="[0.1307]")
    expected_std = _reals(expected_std, "expected_std", example="[0.3081]")
    if len(expected_mean) != len(expected_std):
        raise ValueError(f"expected_mean has {_count(len(expected_mean), 'value')} but expected_std has {len(expected_std)}: "
                         "give one of each per channel.")  # fmt: skip
    tolerance = real(tolerance, "tolerance", positive=True, example="tolerance=1e-4")
    per_image_std = function(per_image_std, "per_image_std", example="lambda: [0.3081]")
    channels = len(expected_mean)
    if len(mean) != channels or len(std) != channels:
        if channels > 1 and 1 in (len(mean), len(std)):
            return (f"The images have {channels} channels: give one mean and one std per channel, each over all the "
                    "pixels of that channel.")  # fmt: skip
        return f"The images have {channels} channel{'s' * (channels != 1)}: give {channels} values for each."
    if max(*mean, *std) > 1 >= max(*expected_mean, *expected_std):
        return ("Your values are above 1, so on the 0–255 scale: divide by 255 (ToTensor() puts pixels in [0, 1], "
                "and Normalize expects mean and std on that scale).")  # fmt: skip
    close = _all_close(tolerance)
    if close(mean, expected_std) and close(std, expected_mean):
        return "Mean and std are swapped: give (mean, std)."
    if close(mean, expected_mean) and not close(std, expected_std):
        if close(std, [s * s for s in expected_std]):
            return "That std is the variance: take its square root."
        per_image = list(per_image_std())
        nearer = sum(abs(a - b) for a, b in zip(std, per_image)) < sum(abs(a - b) for a, b in zip(std, expected_std))
        if _all_close(2e-3)(std, per_image) and nearer:
            return ("That looks like the average of each image's std. The std must be over all the pixels of a "
                    "channel in all the images at once: averaging per-image stds leaves out how much the images "
                    "differ from one another.")  # fmt: skip
    return ""
