"""Hand-made kernels and sliding one over a grey image: presets, resizing, :func:`apply_kernel`.

The presets are built from formulas on the row and column index, so every preset exists at the
odd sizes 3, 5 and 7 (an odd kernel has a centre pixel). :mod:`ainotes.conv` re-exports
everything here, so ``from ainotes.conv import apply_kernel`` keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from ainotes.arguments import choice, whole

__all__ = [
    "KERNEL_SIZES",
    "PADDING_MODES",
    "PRESET_KERNELS",
    "apply_kernel",
    "preset_kernel",
    "resize_kernel",
]

#: The sizes every preset comes in, odd so that the kernel has a centre pixel.
KERNEL_SIZES = (3, 5, 7)
#: How :func:`~ainotes.kernels.apply_kernel` fills the border (zeros, mirrored pixels, or the edge pixel repeated).
PADDING_MODES = ("zeros", "reflect", "replicate")
_F_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate"}

#: The 3×3 presets, written out (each equals ``preset_kernel(name, 3)``). Edge detectors respond
#: where brightness changes in one direction: "top edge" is positive where it is dark above and
#: bright below. There is no "bottom edge" on purpose: building one is an exercise.
#: The API reference leaves the values out (rows of long numbers); print the dict to see them.
#:
#: :meta hide-value:
PRESET_KERNELS: dict[str, list[list[float]]] = {
    "top edge": [[-1.0, -1.0, -1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
    "left edge": [[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]],
    "diagonal edge ↗": [[0.0, 1.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, -1.0, 0.0]],
    "diagonal edge ↖": [[1.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, -1.0]],
    "vertical line": [[-1.0, 2.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, 2.0, -1.0]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]],
    "identity": [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
}


def _check_kernel_size(size: int) -> int:
    if whole(size, "size", example="size=5") not in KERNEL_SIZES:
        raise ValueError(f"size={size!r} is not available: kernels come in the odd sizes "
                         f"{', '.join(map(str, KERNEL_SIZES))} (an odd kernel has a centre pixel).")  # fmt: skip
    return int(size)


def _as_grid(value: Any, name: str) -> torch.Tensor:
    """``value`` (a tensor, an array or nested lists of numbers) as a float32 tensor; a clear error otherwise."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, Mapping):
        preset = repr(value) if isinstance(value, str) and value in PRESET_KERNELS else "name"
        hint = f": for a preset use preset_kernel({preset})" if name == "kernel" and isinstance(value, str) else ""
        raise TypeError(f"{name} must be a tensor or a nested list of numbers, got {value!r} "
                        f"({type(value).__name__}){hint}.")  # fmt: skip
    try:
        grid = torch.as_tensor(value, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(f"{name} must be a tensor or a nested list of numbers (rows of equal length); "
                        f"this {type(value).__name__} cannot be read as one ({error}).") from None  # fmt: skip
    if grid.numel() == 0:
        raise ValueError(f"{name} has shape {tuple(grid.shape)}: it is empty, give at least one value.")
    return grid


def preset_kernel(name: str, size: int = 3) -> torch.Tensor:
    """A preset kernel by name, at an odd size (3, 5 or 7), as a float tensor (size, size).

    With ``c`` the centre index, ``row`` and ``col`` the indices of a weight:

    - ``"top edge"``: sign(row − c), ``"left edge"``: sign(col − c);
    - ``"diagonal edge ↗"``: sign(col − row), ``"diagonal edge ↖"``: sign(size − 1 − row − col);
    - ``"vertical line"``: size − 1 in the centre column, −1 elsewhere (each row sums to 0);
    - ``"blur"``: 1 / size² everywhere (the average of the window);
    - ``"sharpen"``, ``"identity"``: their 3×3 version in the centre, zeros around it.

    Parameters
    ----------
    name : str
        One of the keys of :data:`PRESET_KERNELS`.
    size : int, default 3
        3, 5 or 7.

    Examples
    --------
    >>> from ainotes.kernels import preset_kernel
    >>> preset_kernel("top edge").tolist()
    [[-1.0, -1.0, -1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    >>> preset_kernel("left edge", 5)[0].tolist()
    [-1.0, -1.0, 0.0, 1.0, 1.0]
    """
    name = choice(name, "name", PRESET_KERNELS)
    size = _check_kernel_size(size)
    row, col = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    c = size // 2
    formulas = {
        "top edge": lambda: torch.sign(row - c),
        "left edge": lambda: torch.sign(col - c),
        "diagonal edge ↗": lambda: torch.sign(col - row),
        "diagonal edge ↖": lambda: torch.sign(size - 1 - row - col),
        "vertical line": lambda: torch.where(col == c, size - 1, -1),
        "blur": lambda: torch.full((size, size), 1 / size**2),
    }
    if name in formulas:
        return formulas[name]().to(torch.float32)
    return resize_kernel(PRESET_KERNELS[name], size)


def resize_kernel(kernel: torch.Tensor | Sequence[Sequence[float]], size: int) -> torch.Tensor:
    """A square ``kernel`` at another odd ``size``: centred in zeros when growing, centre-cropped when shrinking.

    Examples
    --------
    >>> from ainotes.kernels import resize_kernel
    >>> resize_kernel([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 5)[1].tolist()
    [0.0, 1.0, 2.0, 3.0, 0.0]
    >>> resize_kernel(resize_kernel([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 5), 3)[1].tolist()
    [4.0, 5.0, 6.0]
    """
    weight = _as_grid(kernel, "kernel")
    if weight.ndim != 2 or weight.shape[0] != weight.shape[1] or weight.shape[0] % 2 == 0:
        raise ValueError(f"Expected a square kernel of odd size, got shape {tuple(weight.shape)}.")
    size = _check_kernel_size(size)
    old = weight.shape[0]
    if size >= old:
        margin = (size - old) // 2
        return F.pad(weight, (margin,) * 4)
    margin = (old - size) // 2
    return weight[margin : margin + size, margin : margin + size].clone()


def _pads(kernel_size: int, padding: int | str, dilation: int) -> tuple[int, int]:
    """(before, after) padding along one dimension; 'same' puts the odd pixel after, as PyTorch does."""
    from ainotes.conv import padding_amount

    pad = padding_amount(padding, kernel_size, dilation)
    if padding == "same":
        return pad, dilation * (kernel_size - 1) - pad
    return pad, pad


def apply_kernel(
    image: torch.Tensor,
    kernel: torch.Tensor | Sequence[Sequence[float]],
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> torch.Tensor:
    """Slide one 2-D ``kernel`` over a grey ``image`` (H, W) and return the feature map.

    Like ``torch.nn.functional.conv2d``, this is a cross-correlation: the kernel is not flipped.
    A colour image (3, H, W) is first turned grey by the mean of its channels (R + G + B) / 3; a
    (1, H, W) image loses its channel dimension. The settings are checked first, so a bad one
    gives a clear ``ValueError`` (``TypeError`` for a wrong type), not an error from deep in PyTorch.

    Parameters
    ----------
    image : tensor (H, W), (1, H, W) or (3, H, W)
    kernel : tensor or nested list (k, k)
        A square kernel.
    stride, dilation : int
    padding : int or {"valid", "same", "full"}
        Pixels added on each side, or a kind: ``"full"`` adds ``dilation × (k − 1)`` per side;
        ``"same"`` keeps the size (with an even span the extra pixel goes after, as in PyTorch).
    padding_mode : {"zeros", "reflect", "replicate"}
        What fills the padding: zeros, the pixels mirrored at the border (the padding must then be
        smaller than the image side), or the border pixel repeated.

    Examples
    --------
    >>> import torch
    >>> from ainotes.conv import apply_kernel
    >>> apply_kernel(torch.ones(5, 5), [[1, 1], [1, 1]]).tolist()[0]
    [4.0, 4.0, 4.0, 4.0]
    >>> apply_kernel(torch.ones(4, 4), [[1, 1], [1, 1]], padding="full").shape
    torch.Size([5, 5])
    >>> apply_kernel(torch.ones(4, 4), [[1, 1], [1, 1]], padding=1, padding_mode="reflect")[
    ...     0
    ... ].tolist()
    [4.0, 4.0, 4.0, 4.0, 4.0]
    """
    from ainotes.conv import conv_output_size

    padding_mode = choice(padding_mode, "padding_mode", PADDING_MODES)
    image = _as_grid(image, "image")
    if image.ndim == 3 and image.shape[0] in (1, 3):
        image = image.mean(0)
    elif image.ndim == 3 and image.shape[-1] in (1, 3):
        raise ValueError(f"image has shape {tuple(image.shape)}, channels last: put the channels first, "
                         "image.permute(2, 0, 1).")  # fmt: skip
    elif image.ndim == 4 and image.shape[0] == 1:
        raise ValueError(f"image has shape {tuple(image.shape)}, a batch of one: pass the image itself, image[0].")
    if image.ndim != 2:
        raise ValueError(f"Expected a grey image (H, W) or an image (C, H, W), got shape {tuple(image.shape)}.")
    weight = _as_grid(kernel, "kernel").to(image.device)
    if weight.ndim != 2:
        raise ValueError(f"Expected a 2-D kernel (kH, kW), got shape {tuple(weight.shape)}: pass one kernel, e.g. "
                         "conv.weight[0, 0] for the first of a layer.")  # fmt: skip
    if weight.shape[0] != weight.shape[1]:
        raise ValueError(f"Expected a square kernel, got {weight.shape[0]}×{weight.shape[1]}.")
    k = weight.shape[0]
    for size in image.shape:
        conv_output_size(size, k, stride, padding, dilation)  # checks every setting
    top, bottom = left, right = _pads(k, padding, dilation)
    for side, pad in zip(image.shape, (bottom, right)):
        if padding_mode == "reflect" and pad >= side:
            raise ValueError(
                f"padding_mode='reflect' mirrors the image, so the padding must be smaller than the image side: "
                f"{pad} pixels on a side of {side}. Use less padding (or a smaller kernel or dilation), "
                "or padding_mode='zeros'."
            )
    with torch.no_grad():
        padded = F.pad(image[None, None], (left, right, top, bottom), mode=_F_PAD_MODE[padding_mode])
        out = F.conv2d(padded, weight[None, None], stride=stride, dilation=dilation)
    return out[0, 0]
