"""Self-checks of chapter 3, images as tensors: ``permute``, ``Normalize``, memory, mean and std.

Like the checks in :mod:`ainotes.exercises`, each returns a :class:`~ainotes.feedback.Feedback`
and follows the attempts policy of :func:`~ainotes.feedback.judge`: a right answer shows the
working, the first wrong answer gets a hint (:mod:`ainotes.image_hints` recognises the common
mistakes), the second the worked answer, and ``show_answer=True`` gives it at once.
:func:`check_unnormalize` checks a function the reader writes, the others a value.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from ainotes._questions import question_shape
from ainotes.arguments import _a, flag, whole
from ainotes.feedback import (
    Feedback,
    answer_shown,
    judge,
    not_answered,
    parse_numbers,
    parse_shape,
    question_key,
    read_number,
)
from ainotes.image_hints import (
    GENERIC_MEAN_STD,
    GENERIC_MEMORY,
    GENERIC_NORMALIZED,
    GENERIC_PERMUTE,
    GENERIC_UNNORMALIZE,
    UNITS,
    _normalized,
    mean_std_hint,
    memory_hint,
    normalized_pixel_hint,
    permute_hint,
    unnormalize_error_hint,
    unnormalize_hint,
)

__all__ = ["UNNORMALIZE_SIZES", "check_mean_std", "check_memory", "check_normalized_pixel",
           "check_permute_shape", "check_unnormalize"]  # fmt: skip

#: (height, width) of the images :func:`check_unnormalize` tries. No width is 3 (or 1), so mean and std of
#: shape [3] cannot broadcast along the width without an error.
UNNORMALIZE_SIZES = ((4, 5), (6, 7), (5, 2))
_EXAMPLE, _EXAMPLE_MEAN, _EXAMPLE_STD = (0.12, -0.34, 0.56, -0.78), (0.12, 0.34, 0.56, 0.78), (0.21, 0.43, 0.65, 0.87)
_UNNORMALIZE_WORKED = ("undoing Normalize, which computed (x − mean) / std per channel, takes x * std + mean per "
                       "channel, with std and mean shaped [3, 1, 1] to line up with the channels: "
                       "`return x * torch.tensor(std).view(3, 1, 1) + torch.tensor(mean).view(3, 1, 1)`.")  # fmt: skip


def _shape(shape: Any, name: str = "shape") -> tuple[int, ...]:
    return question_shape(shape, name, example="(64, 3, 32, 32)")


def _g(value: float) -> str:
    return f"{value:g}"


def _listed(values: Sequence[float], text: Callable[[float], str] = _g) -> str:
    return text(values[0]) if len(values) == 1 else f"({', '.join(map(text, values))})"


def check_permute_shape(answer: str | Sequence[int] | torch.Size | None, shape: Sequence[int], dims: Sequence[int],
                        *, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the shape of a tensor of ``shape`` after ``.permute(*dims)``.

    ``answer`` may be written ``"64, 32, 32, 3"`` or ``"[64, 32, 32, 3]"``, or be a list or a
    ``torch.Size``. ``dims`` may hold negative dimensions, as ``permute`` allows.

    Examples
    --------
    >>> from ainotes.image_checks import check_permute_shape
    >>> check_permute_shape("64, 32, 32, 3", shape=(64, 3, 32, 32), dims=(0, 2, 3, 1))
    ✓ Right. `.permute(0, 2, 3, 1)` turns [64, 3, 32, 32] into [64, 32, 32, 3]: position 0 gets old dim 0 (64), position 1 gets old dim 2 (32), position 2 gets old dim 3 (32), position 3 gets old dim 1 (3).
    """
    shape, show_answer = _shape(shape), flag(show_answer, "show_answer")
    n = len(shape)
    if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence) or any(
            isinstance(d, bool) or not isinstance(d, numbers.Integral) for d in dims):  # fmt: skip
        raise TypeError(f"dims must be a sequence of whole numbers, like (0, 2, 3, 1); got {dims!r}.")
    order = [int(d) % n if -n <= d < n else -1 for d in dims]
    if sorted(order) != list(range(n)):
        raise ValueError(f"dims={tuple(dims)!r} is not a reordering of the {n} dimensions of {list(shape)}: give "
                         f"each of 0 … {n - 1} once.")  # fmt: skip
    expected = tuple(shape[d] for d in order)
    steps = ", ".join(f"position {i} gets old dim {d} ({shape[d]})" for i, d in enumerate(order))
    shown = f"[{', '.join(map(str, expected))}]"
    if answer is None:
        return not_answered(show_answer, f"{steps}, so {shown}.")
    try:
        given = parse_shape(answer)
    except ValueError as exc:
        return Feedback(False, str(exc))
    hint = permute_hint(given, shape, order) if given != expected else ""
    call = f"`.permute({', '.join(str(int(d)) for d in dims)})`"
    return judge("check_permute_shape", question_key(shape, order), correct=given == expected,
                 given=f"[{', '.join(map(str, given))}]", right=f"{call} turns {list(shape)} into {shown}: {steps}.",
                 worked=f"{steps}, so {shown}.", hint=hint, generic_hint=GENERIC_PERMUTE,
                 show_answer=show_answer)  # fmt: skip


def _channel_values(value: Any, name: str) -> tuple[float, ...]:
    try:
        if isinstance(value, str):
            raise ValueError("a string")
        return parse_numbers(value)
    except ValueError:
        raise TypeError(f"{name} must be a number or one number per channel, like (0.4914, 0.4822, 0.4465); got "
                        f"{value!r}.") from None  # fmt: skip


def check_normalized_pixel(answer: float | Sequence[float] | None, pixel: float, mean: float | Sequence[float],
                           std: float | Sequence[float], *, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check what a pixel of value ``pixel`` in every channel becomes after ``transforms.Normalize(mean, std)``.

    ``pixel`` is in [0, 1], as after ``ToTensor()`` (0 is black, 1 white). Per channel the answer
    is (pixel − mean) / std: one number per channel (a bare number for a single channel). Two
    decimals are enough: every value within 0.01 counts as right.

    Examples
    --------
    >>> from ainotes.image_checks import check_normalized_pixel
    >>> check_normalized_pixel(-0.42, pixel=0.0, mean=0.1307, std=0.3081)
    ✓ Right. Per channel (pixel − mean) / std: (0 − 0.1307) / 0.3081 = -0.42.
    """
    if isinstance(pixel, bool) or not isinstance(pixel, numbers.Real):
        raise TypeError(f"pixel must be a number in [0, 1], like 0.0 for black; got {pixel!r}.")
    if not 0 <= pixel <= 1:
        scale = f"; for a 0-255 value give {pixel:g} / 255 = {pixel / 255:.4g}" if 1 < pixel <= 255 else ""
        raise ValueError(f"pixel={pixel!r} is not in [0, 1]: after ToTensor() pixels go from 0 (black) to 1 "
                         f"(white){scale}.")  # fmt: skip
    show_answer = flag(show_answer, "show_answer")
    mean, std = _channel_values(mean, "mean"), _channel_values(std, "std")
    if len(mean) != len(std):
        raise ValueError(f"mean has {len(mean)} values but std has {len(std)}: give one of each per channel.")
    expected = _normalized(pixel, mean, std)  # std positive, every value finite
    names = ("red ", "green ", "blue ") if len(mean) == 3 else ("",) * len(mean)
    steps = ", ".join(f"{c}({_g(pixel)} − {_g(m)}) / {_g(s)} = {e:.2f}"
                      for c, m, s, e in zip(names, mean, std, expected))  # fmt: skip
    worked = f"per channel (pixel − mean) / std: {steps}, so {_listed(expected, lambda v: f'{v:.2f}')}."
    if answer is None:
        return not_answered(show_answer, worked)
    try:
        given = parse_numbers(answer)
    except ValueError:
        what = "one number" if len(mean) == 1 else f"one number per channel ({len(mean)} numbers)"
        example = f", e.g. {_listed(_EXAMPLE[: len(mean)])}" if len(mean) <= len(_EXAMPLE) else ""
        return Feedback(False, f"Could not read {answer!r}: give {what}{example}.")
    correct = len(given) == len(expected) and all(abs(g - e) <= 0.01 + 1e-9 for g, e in zip(given, expected))
    hint = "" if correct else normalized_pixel_hint(given, float(pixel), mean, std)
    return judge("check_normalized_pixel", question_key(float(pixel), mean, std), correct=correct,
                 given=_listed(given), right=f"Per channel (pixel − mean) / std: {steps}.", worked=worked, hint=hint,
                 generic_hint=GENERIC_NORMALIZED, show_answer=show_answer)  # fmt: skip


def _amount(value: float) -> str:
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return f"{round(value):,}"
    return f"{value:,.1f}" if abs(value) >= 1000 else f"{value:.4g}"


def check_memory(answer: float | None, shape: Sequence[int], dtype: torch.dtype = torch.float32, unit: str = "MB",
                 *, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the memory a dense tensor of ``shape`` and ``dtype`` takes, in ``unit``.

    ``unit`` is one of ``"B"``, ``"kB"``, ``"MB"``, ``"GB"`` (powers of 1000) or ``"KiB"``,
    ``"MiB"``, ``"GiB"`` (powers of 1024). Answers within 1% count as right.

    Examples
    --------
    >>> from ainotes.image_checks import check_memory
    >>> check_memory(614.4, shape=(50_000, 3, 32, 32))
    ✓ Right. 50,000 × 3 × 32 × 32 = 153,600,000 values × 4 bytes (float32) = 614,400,000 bytes = 614.4 MB.
    """
    shape, show_answer = _shape(shape), flag(show_answer, "show_answer")
    if not isinstance(dtype, torch.dtype):
        named = isinstance(dtype, str) and isinstance(getattr(torch, dtype, None), torch.dtype)
        raise TypeError(f"dtype must be a torch dtype, like torch.float32; got {dtype!r}"
                        f"{f' (write torch.{dtype})' if named else ''}.")  # fmt: skip
    if not isinstance(unit, str):
        raise TypeError(f"unit must be one of {', '.join(map(repr, UNITS))}; got {unit!r} ({type(unit).__name__}).")
    if unit not in UNITS:
        close = {u.lower(): u for u in UNITS}.get(unit.lower())
        raise ValueError(f"unit={unit!r} is not one of {', '.join(map(repr, UNITS))}"
                         f"{f' (did you mean {close!r}?)' if close else ''}.")  # fmt: skip
    per = torch.empty((), dtype=dtype).element_size()
    values = math.prod(shape)
    total, expected = values * per, values * per / UNITS[unit]
    count = f"{' × '.join(f'{n:,}' for n in shape)} = {values:,} values" if len(shape) > 1 else f"{values:,} values"
    working = f"{count} × {per} byte{'s' * (per != 1)} ({str(dtype).replace('torch.', '')}) = {total:,} bytes"
    if unit != "B":
        shown = _amount(expected)
        exact = math.isclose(float(shown.replace(",", "")), expected, rel_tol=1e-12)
        working += f" {'=' if exact else '≈'} {shown} {unit}"
        working += f" (1 {unit} = {UNITS[unit]:,} bytes)" if unit.endswith("iB") else ""
    if answer is None:
        return not_answered(show_answer, f"{working}.")
    value = _memory_answer(answer, unit)
    if isinstance(value, Feedback):
        return value
    correct = abs(value - expected) <= 0.01 * expected
    hint = "" if correct else memory_hint(value, shape, dtype, unit)
    return judge("check_memory", question_key(shape, str(dtype), unit), correct=correct,
                 given=f"{round(value):,} {unit}" if value.is_integer() else f"{value:,} {unit}", right=f"{working}.", worked=f"{working}.", hint=hint,
                 generic_hint=GENERIC_MEMORY, show_answer=show_answer)  # fmt: skip


def _memory_answer(answer: Any, unit: str) -> float | Feedback | None:
    """The reader's memory size as a float: a number, or a string such as "614.4" or "614.4 MB" (in ``unit``)."""
    if isinstance(answer, str):
        written = re.fullmatch(r"\s*(.*?)\s*([kKMG]i?B|B)\s*", answer)
        if written and written[2] != unit:
            return Feedback(False, f"The question asks for the size in {unit}; you gave {answer!r}: convert it to "
                                   f"{unit} and give the number.")  # fmt: skip
        answer = written[1] if written else answer
        if re.fullmatch(r"[1-9]\d{0,2}(,\d{3})+(\.\d+)?", answer.strip()):  # "614,400,000" (bytes)
            answer = answer.replace(",", "")
    return read_number(answer, f"A memory size in {unit}", '614.4 or "614.4"')


def check_unnormalize(fn: Callable[..., Any], *, show_answer: bool = False) -> Feedback:
    """Check the reader's ``unnormalize(x, mean, std)``, which undoes ``transforms.Normalize(mean, std)``.

    ``x`` is a normalised image [3, H, W]; ``mean`` and ``std`` are tuples of 3 numbers. The check
    calls ``fn`` on seeded random images of the sizes in :data:`UNNORMALIZE_SIZES`, each with its
    own mean and std, and compares the result (a tensor or a NumPy array) with
    ``x * std[:, None, None] + mean[:, None, None]``. The input must not change: ``fn`` returns a
    new tensor.

    Examples
    --------
    >>> import torch
    >>> from ainotes.image_checks import check_unnormalize
    >>> def unnormalize(x, mean, std):
    ...     return x * torch.tensor(std).view(3, 1, 1) + torch.tensor(mean).view(3, 1, 1)
    >>> check_unnormalize(unnormalize)
    ✓ Right. `unnormalize` undoes Normalize on 3 random images (3×4×5, 3×6×7, 3×5×2), each with its own mean and std, and leaves its input unchanged.
    """
    show_answer = flag(show_answer, "show_answer")
    if not callable(fn):
        raise TypeError(f"check_unnormalize needs your function itself, not its result: write "
                        f"check_unnormalize(unnormalize) without parentheses after the name (got a "
                        f"{type(fn).__name__}).")  # fmt: skip
    name = getattr(fn, "__name__", "your function")
    generator = torch.Generator().manual_seed(0)
    for height, width in UNNORMALIZE_SIZES:
        x = torch.randn(3, height, width, generator=generator)
        mean = tuple(round(v, 3) for v in (0.2 + 0.5 * torch.rand(3, generator=generator)).tolist())
        std = tuple(round(v, 3) for v in (0.1 + 0.3 * torch.rand(3, generator=generator)).tolist())
        m, s = torch.tensor(mean).view(3, 1, 1), torch.tensor(std).view(3, 1, 1)
        where, given_x = f"On a 3×{height}×{width} image", x.clone()
        try:
            output = fn(given_x, mean, std)
        except Exception as error:  # any error in the reader's code is the verdict
            text = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else ""
            text = text if len(text) <= 160 else text[:157] + "..."
            return _code_verdict(f"{where}, `{name}` raised {type(error).__name__}: {text}",
                                 unnormalize_error_hint(error), show_answer)  # fmt: skip
        if output is None:
            if show_answer:
                return answer_shown(_UNNORMALIZE_WORKED)
            return Feedback(None, f"Not answered yet: write the body of `{name}` so that it returns the image as it "
                                  "was before Normalize, and run the cell again.")  # fmt: skip
        if not torch.equal(given_x, x):
            return _code_verdict(f"{where}, `{name}` changed its input x", "Return a new tensor and leave x as it "
                                 "is: an in-place operation (`x.mul_(...)`, `x *= ...`, `x[...] = ...`) changes the "
                                 "caller's image, e.g. the one in your data set.", show_answer)  # fmt: skip
        got = None
        if isinstance(output, (torch.Tensor, np.ndarray)):
            try:
                array = isinstance(output, np.ndarray)
                got = torch.as_tensor(np.asarray(output, dtype=np.float32)) if array else output
                got = got.detach().cpu().float()
            except (TypeError, ValueError):
                got = None
        if got is None:
            return _code_verdict(f"{where}, `{name}` returned {_a(output)}", "Return a tensor (a NumPy "
                                 "array also works) of the same shape as x.", show_answer)  # fmt: skip
        if got.shape != x.shape:
            return _code_verdict(f"{where}, `{name}` returned shape {list(got.shape)}", f"The result has the shape "
                                 f"of x, {list(x.shape)}: one value per channel and pixel.", show_answer)  # fmt: skip
        expected = x * s + m
        wrong = ~torch.isclose(got, expected, atol=1e-4, rtol=1e-4)
        if wrong.any():
            c, r, k = (int(i) for i in wrong.nonzero()[0])
            return _code_verdict(f"{where} with mean {mean} and std {std}, `{name}` gives {got[c, r, k]:.4g} for "
                                 f"pixel [{c}, {r}, {k}] instead of {expected[c, r, k]:.4g}",
                                 unnormalize_hint(got, x, m, s), show_answer)  # fmt: skip
    sizes = ", ".join(f"3×{h}×{w}" for h, w in UNNORMALIZE_SIZES)
    return judge("check_unnormalize", question_key(), correct=True, given="", worked="", hint="", generic_hint="",
                 right=f"`{name}` undoes Normalize on {len(UNNORMALIZE_SIZES)} random images ({sizes}), each with "
                 "its own mean and std, and leaves its input unchanged.")  # fmt: skip


def _code_verdict(given: str, hint: str, show_answer: bool) -> Feedback:
    return judge("check_unnormalize", question_key(), correct=False, given=given, right="", worked=_UNNORMALIZE_WORKED,
                 hint=hint, generic_hint=GENERIC_UNNORMALIZE, show_answer=show_answer, lead="")  # fmt: skip


def _per_image_std(data: Any) -> list[float]:
    """The mean over images of each image's per-channel std, chunk by chunk."""
    from torch.utils.data import Subset

    from ainotes.data import as_tensors

    if isinstance(data, torch.Tensor):
        chunks = iter(data.split(8192))
    else:
        n = len(data)
        chunks = (as_tensors(Subset(data, range(i, min(i + 8192, n))))[0] for i in range(0, n, 8192))
    total, count = torch.zeros((), dtype=torch.float64), 0
    for chunk in chunks:
        total = total + chunk.float().flatten(2).std(dim=2).double().sum(0)
        count += chunk.shape[0]
    return (total / count).tolist()


def _pair(answer: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    if isinstance(answer, (torch.Tensor, np.ndarray)) and answer.ndim in (1, 2) and len(answer) == 2:
        answer = list(answer)
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Sequence) or len(answer) != 2:
        raise ValueError("not a pair")
    return parse_numbers(answer[0]), parse_numbers(answer[1])


def check_mean_std(answer: tuple[Any, Any] | None, data: Any, *, decimals: int = 4,
                   show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check a per-channel ``(mean, std)`` of the pixels of ``data``, scaled to [0, 1].

    ``data`` is a torchvision-style data set (such as ``ainotes.data.mnist()``) or a float tensor
    [N, C, H, W] in [0, 1]. ``answer`` is ``(mean, std)``, each a number (one channel) or one
    number per channel. Values rounded (or cut) to ``decimals`` decimal places count as right:
    each must be within ``10**-decimals`` of :func:`ainotes.data.channel_stats`.

    Examples
    --------
    >>> import torch
    >>> from ainotes.image_checks import check_mean_std
    >>> x = torch.tensor([0.0, 0.5, 1.0, 0.5]).view(2, 1, 2, 1)
    >>> check_mean_std((0.5, 0.4082), x)
    ✓ Right. Over all 2 images, the pixels of each channel have mean 0.5000 and std 0.4082, to 4 decimals.
    """
    from ainotes.data import channel_stats
    from ainotes.data.stats import _check_batch, _has_pixel_arrays

    decimals = whole(decimals, "decimals", least=1, most=8, example="decimals=4")
    show_answer = flag(show_answer, "show_answer")
    if isinstance(data, torch.Tensor):
        _check_batch(data, "data")  # a batch [N, C, H, W]: single images and channels-last explained
        if not data.is_floating_point():
            raise TypeError(f"data is a {data.dtype} tensor: give float pixels in [0, 1], e.g. x.float() / 255.")
        if data.numel() and (data.min() < 0 or data.max() > 1):
            raise ValueError(f"data should hold pixels in [0, 1], before Normalize; its values go from "
                             f"{data.min():.3g} to {data.max():.3g}.")  # fmt: skip
    elif not _has_pixel_arrays(data):
        raise TypeError(f"data must be a torchvision-style data set with `data` and `targets` arrays (such as "
                        f"ainotes.data.mnist()) or a float tensor [N, C, H, W] in [0, 1]; got a "
                        f"{type(data).__name__}.")  # fmt: skip
    expected_mean, expected_std = channel_stats(data)
    channels, images = len(expected_mean), len(data)
    shown = [_listed(v, lambda x: f"{x:.{decimals}f}") for v in (expected_mean, expected_std)]
    worked = (f"over all the pixels of each channel in all {images:,} images, the mean is {shown[0]} and the std is "
              f"{shown[1]}, so ({shown[0]}, {shown[1]}): for x [N, C, H, W] in [0, 1], `x.mean(dim=(0, 2, 3))` and "
              "`x.std(dim=(0, 2, 3))`.")  # fmt: skip
    if answer is None:
        return not_answered(show_answer, worked)
    try:
        mean, std = _pair(answer)
    except ValueError:
        example = (f", e.g. ({_listed(_EXAMPLE_MEAN[:channels])}, {_listed(_EXAMPLE_STD[:channels])})"
                   if channels <= len(_EXAMPLE) else "")  # fmt: skip
        return Feedback(False, f"Could not read {answer!r}: give (mean, std), each one number per channel "
                               f"({channels} number{'s' * (channels > 1)}){example}.")  # fmt: skip
    tolerance = 10**-decimals + 1e-12
    correct = len(mean) == len(std) == channels and all(
        abs(a - b) <= tolerance for a, b in zip(mean + std, expected_mean + expected_std))  # fmt: skip
    hint = "" if correct else mean_std_hint(mean, std, expected_mean, expected_std, tolerance,
                                            lambda: _per_image_std(data))  # fmt: skip
    return judge("check_mean_std", question_key(images, expected_mean, expected_std, decimals), correct=correct,
                 given=f"({_listed(mean)}, {_listed(std)})", right=f"Over all {images:,} images, the pixels of each "
                 f"channel have mean {shown[0]} and std {shown[1]}, to {decimals} decimals.", worked=worked,
                 hint=hint, generic_hint=GENERIC_MEAN_STD, show_answer=show_answer)  # fmt: skip
