"""Self-checks of code the reader writes: a convolution by hand, compared with ``F.conv2d``.

:func:`check_conv2d` calls the reader's function on seeded random images and kernels of several
sizes (none of them square in both), compares each result with PyTorch, and explains the first
difference: an error and where to look, a wrong shape and the output-size rule, or the first
wrong pixel with the image patch it should multiply.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ainotes.arguments import _a, whole
from ainotes.feedback import Feedback

__all__ = ["CONV2D_CASES", "check_conv2d"]

#: (image height, image width, kernel height, kernel width) of the test inputs, in the order tried.
CONV2D_CASES = ((5, 7, 3, 3), (6, 6, 2, 2), (4, 5, 3, 2), (7, 4, 2, 3), (3, 3, 3, 3))
_ADVICE = {
    IndexError: "check the ranges of your loops: the last position starts at H − kH (rows) and W − kW (columns).",
    RuntimeError: "the patch and the kernel must have the same shape: take image[r:r+kH, c:c+kW].",
    TypeError: "check how your function is called and what it returns.",
    NameError: "a name is used before it is defined: check the spelling and the function's arguments.",
    ValueError: "check the shapes and the values you put in the output.",
}


def _cases(stride: int, padding: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Seeded random integer-valued images and kernels (integers keep the messages readable)."""
    generator = torch.Generator().manual_seed(0)
    cases = []
    for h, w, kh, kw in CONV2D_CASES:
        if (h + 2 * padding - kh) < 0 or (w + 2 * padding - kw) < 0:
            continue
        image = torch.randint(0, 10, (h, w), generator=generator).float()
        kernel = torch.randint(-3, 4, (kh, kw), generator=generator).float()
        while torch.equal(kernel, kernel.flip(0, 1)) or torch.equal(kernel, kernel.flip(0)) or not kernel.any():
            kernel = torch.randint(-3, 4, (kh, kw), generator=generator).float()  # no symmetry hides a bug
        cases.append((image, kernel))
    return cases


def _as_tensor(output: Any) -> torch.Tensor:
    if isinstance(output, torch.Tensor):
        return output.detach().to(torch.float32).cpu()
    if isinstance(output, (list, tuple)):
        output = [[float(v) for v in row] if isinstance(row, (list, tuple, np.ndarray, torch.Tensor)) else float(row)
                  for row in output]  # fmt: skip
    return torch.as_tensor(np.asarray(output, dtype=np.float32))


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text if len(text) <= 160 else text[:157] + "..."


def check_conv2d(fn: Callable[..., Any], stride: int = 1, padding: int = 0) -> Feedback:
    """Check a hand-written 2-D convolution (a cross-correlation, as ``F.conv2d`` computes it).

    The reader writes ``conv2d_by_hand(image, kernel)``: ``image`` is a tensor (H, W), ``kernel`` a
    tensor (kH, kW); it returns the feature map (H − kH + 1, W − kW + 1), whose pixel (r, c) is
    ``(image[r:r+kH, c:c+kW] * kernel).sum()``. The check calls it on seeded random inputs of the
    sizes in :data:`CONV2D_CASES` and compares with ``F.conv2d``. The result may be a tensor, a
    NumPy array or a list of lists.

    For the stretch exercise, give ``stride`` or ``padding`` (zeros on every side): the check then
    calls ``fn(image, kernel, stride=stride, padding=padding)``.

    Examples
    --------
    >>> import torch
    >>> from ainotes.code_checks import check_conv2d
    >>> def conv2d_by_hand(image, kernel):
    ...     kh, kw = kernel.shape
    ...     out = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    ...     for r in range(out.shape[0]):
    ...         for c in range(out.shape[1]):
    ...             out[r, c] = (image[r : r + kh, c : c + kw] * kernel).sum()
    ...     return out
    >>> check_conv2d(conv2d_by_hand).correct
    True
    """
    if isinstance(fn, str):
        raise TypeError(f"check_conv2d needs your function itself, not its name: write check_conv2d({fn.strip()}) "
                        f"without quotes (got the string {fn!r}).")  # fmt: skip
    if not callable(fn):
        raise TypeError(f"check_conv2d needs your function itself, not its result: write check_conv2d(conv2d_by_hand) "
                        f"without parentheses after the name (got {_a(fn)}).")  # fmt: skip
    stride = whole(stride, "stride", least=1, example="stride=2")
    padding = whole(padding, "padding", least=0, example="padding=1")
    name = getattr(fn, "__name__", "your function")
    stretch = (stride, padding) != (1, 0)
    cases = _cases(stride, padding)
    for image, kernel in cases:
        (h, w), (kh, kw) = image.shape, kernel.shape
        where = f"on a {h}×{w} image with a {kh}×{kw} kernel"
        try:
            args = (image.clone(), kernel.clone())
            output = fn(*args, stride=stride, padding=padding) if stretch else fn(*args)
        except Exception as error:  # any error in the reader's code is the verdict
            advice = _ADVICE.get(type(error), "read the message and the line of your function it points to.")
            if stretch and isinstance(error, TypeError) and "keyword argument" in str(error):
                advice = "for the stretch exercise, give your function the parameters stride=1 and padding=0."
            return Feedback(False, f"Your function raised {type(error).__name__}: {_short(error)} ({where}); {advice}")
        if output is None:
            return Feedback(None, f"Not answered yet: write the body of `{name}` so that it returns the feature "
                                  "map, and run the cell again.")  # fmt: skip
        try:
            got = _as_tensor(output)
        except (TypeError, ValueError) as error:
            return Feedback(False, f"Could not read your function's result as a grid of numbers ({_short(error)}): "
                                   "return a tensor, e.g. made with torch.zeros(rows, columns).")  # fmt: skip
        expected = F.conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
        eh, ew = expected.shape
        if tuple(got.shape) != (eh, ew):
            return Feedback(False, _shape_message(tuple(got.shape), (h, w), (kh, kw), (eh, ew), stride, padding))
        if not bool(got.isfinite().all()):  # nan is never "close": compared as numbers it would pass
            return Feedback(False, _not_finite_message(got, where))
        wrong = (got - expected).abs() > 1e-4 * (1 + expected.abs())
        if wrong.any():
            return Feedback(False, _value_message(got, expected, image, kernel, wrong, stride, padding))
    sizes = ", ".join(f"{i.shape[0]}×{i.shape[1]} with {k.shape[0]}×{k.shape[1]}" for i, k in cases)
    return Feedback(True, f"`{name}` gives the same feature maps as F.conv2d on {len(cases)} random images and "
                          f"kernels (image with kernel: {sizes}).")  # fmt: skip


def _shape_message(got: tuple, image: tuple, kernel: tuple, expected: tuple, stride: int, padding: int) -> str:
    (h, w), (kh, kw), (eh, ew) = image, kernel, expected
    if (stride, padding) == (1, 0):
        rule = (f"there are H − kH + 1 = {h} − {kh} + 1 = {eh} positions down and W − kW + 1 = {w} − {kw} + 1 = {ew} "
                "across.")  # fmt: skip
    else:
        rule = ("each dimension has (size + 2·padding − kernel) // stride + 1 positions: "
                f"({h} + 2×{padding} − {kh}) // {stride} + 1 = {eh} down, ({w} + 2×{padding} − {kw}) // {stride} + 1 = "
                f"{ew} across.")  # fmt: skip
    hint = ""
    if got == (eh - 1, ew - 1):
        hint = " A loop over range(H − kH) misses the last position: use range(H − kH + 1)."
    elif got == (ew, eh):
        hint = " Rows and columns are swapped: the first index is the row (height), the second the column (width)."
    elif got == (h, w):
        hint = " The output is smaller than the image: the kernel must fit inside it at every position."
    shown = "×".join(map(str, got)) if got else "a single number"
    return (f"On a {h}×{w} image with a {kh}×{kw} kernel your function returned {shown}, but the feature map is "
            f"{eh}×{ew}: {rule}{hint}")  # fmt: skip


def _not_finite_message(got: torch.Tensor, where: str) -> str:
    bad = ~got.isfinite()
    r, c = (int(i) for i in bad.nonzero()[0])
    return (f"{where[0].upper()}{where[1:]}, your function's output holds {_number(got[r, c])} at output[{r}, {c}] "
            f"({int(bad.sum())} of {got.numel()} values are nan or inf), but every pixel is a finite sum. nan and inf "
            "come from e.g. a division by zero or a torch.empty(...) whose pixels are not all filled: start from "
            "torch.zeros(...) and fill every pixel.")  # fmt: skip


def _value_message(got: torch.Tensor, expected: torch.Tensor, image: torch.Tensor, kernel: torch.Tensor,
                   wrong: torch.Tensor, stride: int, padding: int) -> str:  # fmt: skip
    (h, w), (kh, kw) = image.shape, kernel.shape
    r, c = (int(i) for i in wrong.nonzero()[0])
    top, left = r * stride, c * stride
    source = "image" if padding == 0 else "padded"
    patch = f"{source}[{top}:{top + kh}, {left}:{left + kw}]"
    text = (f"On a {h}×{w} image with a {kh}×{kw} kernel, output[{r}, {c}] should be {_number(expected[r, c])} "
            f"but your function gives {_number(got[r, c])}. It is the sum of {patch} × kernel, element by element.")  # fmt: skip
    if padding:
        text += f" (`padded` is the image with {padding} zeros added on every side.)"
    rows, cols = wrong.nonzero().unbind(1)
    if bool(((rows == expected.shape[0] - 1) | (cols == expected.shape[1] - 1)).all()) and not got[wrong].any():
        text += " Only the last row or column is wrong, and it is 0: does a loop stop one position early?"
    flipped = F.conv2d(image[None, None], kernel.flip(0, 1)[None, None], stride=stride, padding=padding)[0, 0]
    if torch.allclose(got, flipped, atol=1e-4):
        text += (" Your result is a true convolution, with the kernel flipped: F.conv2d (and every CNN) does not "
                 "flip it, so multiply image[r + i, c + j] by kernel[i, j].")  # fmt: skip
    return text


def _number(value: torch.Tensor) -> str:
    number = float(value)
    return str(int(number)) if math.isfinite(number) and number.is_integer() else f"{number:.4g}"
