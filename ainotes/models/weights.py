"""Pretrained weights for the small ResNet, with torchvision's weights API.

torchvision describes each set of pretrained weights with an enum member
(``ResNet18_Weights.IMAGENET1K_V1``) that knows its file, its metadata (``.meta``) and the
preprocessing its images need (``.transforms()``). :class:`SmallResNetWeights` does the same for
the book's own checkpoint, which ships inside the package instead of being downloaded, so it
works offline. Loading checks the file's SHA-256 first and then reads it with
``torch.load(..., weights_only=True)``, which refuses anything but tensors and plain containers.
"""

from __future__ import annotations

import difflib
import enum
import inspect
import json
import os
import pickle
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ainotes.arguments import _a, _kind, real, whole
from ainotes.data.sources import _sha256_file

__all__ = ["CheckpointError", "Preprocess", "SmallResNetWeights", "checkpoint_folder", "load_checkpoint"]

_RESTORE = (
    "Restore it by reinstalling the package (pip install --force-reinstall ainotes, or in a clone of the "
    "book: git checkout -- ainotes/models/checkpoints), or recreate it with "
    "scripts/pretrain_small_resnet.py."
)


class CheckpointError(RuntimeError):
    """A checkpoint or its metadata record is missing, damaged or not what it should be.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ainotes.models import CheckpointError, load_checkpoint
    >>> try:
    ...     load_checkpoint(Path(tempfile.mkdtemp()) / "missing.pt")
    ... except CheckpointError as error:
    ...     print(type(error).__name__)
    CheckpointError
    """


def checkpoint_folder() -> Path:
    """The folder inside the installed package that holds the checkpoints and their records.

    Examples
    --------
    >>> from ainotes.models import SmallResNetWeights, checkpoint_folder
    >>> checkpoint_folder().name, checkpoint_folder().is_dir()
    ('checkpoints', True)
    >>> SmallResNetWeights.DEFAULT.path.parent == checkpoint_folder()
    True
    """
    return Path(str(resources.files("ainotes.models") / "checkpoints"))


def _advice(path: Path) -> str:
    """How to restore the file: the book's own checkpoint can be reinstalled; another file cannot."""
    try:
        ours = path.resolve().parent == checkpoint_folder().resolve()
    except OSError:
        ours = False
    return (
        _RESTORE
        if ours
        else "Check that it is the file you meant, and save it again with torch.save(model.state_dict(), path)."
    )


def _checked_path(path: Any) -> Path:
    """``path`` as a :class:`~pathlib.Path`, or a TypeError saying what to give instead of a model or weights."""
    if isinstance(path, (str, os.PathLike)):
        return Path(path)
    if isinstance(path, SmallResNetWeights):
        fix = f": to load these weights use {path}.get_state_dict()"
    elif isinstance(path, nn.Module):
        fix = ": save a model's weights first with torch.save(model.state_dict(), path)"
    else:
        fix = ", e.g. 'model.pt'"
    raise TypeError(f"path must be a file path (a str or a pathlib.Path), got {_kind(path)}{fix}.")


def _checked_sha256(sha256: Any) -> str | None:
    """``sha256`` if it is None or 64 hexadecimal digits (either case)."""
    if sha256 is None:
        return None
    if not isinstance(sha256, str):
        raise TypeError(f"sha256 must be a str of 64 hexadecimal digits or None, got {type(sha256).__name__}: e.g. "
                        "sha256=weights.meta['sha256'].")  # fmt: skip
    if len(sha256) != 64 or any(c not in "0123456789abcdefABCDEF" for c in sha256):
        raise ValueError(f"sha256={sha256[:70]!r} is not a SHA-256: give its 64 hexadecimal digits, e.g. "
                         "sha256=weights.meta['sha256'].")  # fmt: skip
    return sha256


def load_checkpoint(path: str | Path, sha256: str | None = None) -> dict[str, torch.Tensor]:
    """Read a ``state_dict`` saved with ``torch.save``, safely: checksum first, then ``weights_only=True``.

    Parameters
    ----------
    path : str or Path
        The ``.pt`` file.
    sha256 : str, optional
        The file's expected SHA-256 (64 hex digits). A file that differs is refused unread.

    Returns
    -------
    dict of str to Tensor
        Parameter and buffer names to tensors, on the CPU.

    Raises
    ------
    CheckpointError
        The file is missing (or a folder), differs from its checksum, is not a PyTorch file, holds
        objects other than tensors (``weights_only=True`` refuses them), or is not a ``state_dict``.
    TypeError, ValueError
        ``path`` is not a path (a model, say), or ``sha256`` is not 64 hexadecimal digits.

    Examples
    --------
    >>> import tempfile, torch
    >>> from pathlib import Path
    >>> from ainotes.models import load_checkpoint
    >>> path = Path(tempfile.mkdtemp()) / "tiny.pt"
    >>> torch.save(torch.nn.Linear(2, 1).state_dict(), path)
    >>> sorted(load_checkpoint(path))
    ['bias', 'weight']
    >>> _ = path.write_bytes(b"not a checkpoint")
    >>> load_checkpoint(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ainotes.models.weights.CheckpointError: .../tiny.pt is not a PyTorch checkpoint or is truncated: ...
    """
    path, sha256 = _checked_path(path), _checked_sha256(sha256)
    if path.is_dir():
        files = sorted(p.name for p in path.glob("*.pt"))
        inside = f": give a file in it, e.g. {str(path / files[0])!r}" if files else " with no .pt file in it"
        raise CheckpointError(f"The checkpoint {path} is a folder, not a file{inside}.")
    if not path.is_file():
        named = f" To load the book's weights named {str(path)!r}, use SmallResNetWeights.{path}.get_state_dict()." if (
            str(path) in SmallResNetWeights.__members__) else ""  # fmt: skip
        raise CheckpointError(f"The checkpoint {path} does not exist. {_advice(path)}{named}")
    if sha256 is not None and (actual := _sha256_file(path)) != sha256.lower():
        raise CheckpointError(
            f"{path} is damaged or was replaced: its SHA-256 is {actual[:16]}…, not the expected "
            f"{sha256[:16]}…. {_advice(path)}"
        )
    if not zipfile.is_zipfile(path):  # torch.save writes a zip archive; a cut-off one has no directory
        raise CheckpointError(
            f"{path} is not a PyTorch checkpoint or is truncated: torch.save writes a zip archive, and this "
            f"file is not one. {_advice(path)}"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:  # objects other than tensors: refused by weights_only
        raise CheckpointError(
            f"{path} holds Python objects other than tensors, which torch.load(weights_only=True) refuses to "
            f"load (loading them would run code named in the file). Load such files only if you trust them. "
            f"{_advice(path)}"
        ) from None
    except (RuntimeError, EOFError, ValueError, OSError) as error:
        raise CheckpointError(
            f"{path} is not a PyTorch checkpoint or is damaged ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:120]}). {_advice(path)}"
        ) from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path} is not a state_dict (a dictionary of tensors). {_advice(path)}")
    return state


@cache
def _record(file: str) -> dict[str, Any]:
    path = checkpoint_folder() / file
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"The metadata record {path} does not exist. {_RESTORE}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"The metadata record {path} is damaged ({error}). {_RESTORE}") from None
    missing = {"categories", "mean", "std", "num_params", "sha256", "file"} - set(meta)
    if missing:
        raise CheckpointError(f"The metadata record {path} lacks {sorted(missing)}. {_RESTORE}")
    return meta


class Preprocess(nn.Module):
    """What the pretrained network expects: pixels scaled to [0, 1], then normalised per channel.

    Takes a PIL image, a tensor image ``[3, H, W]`` or a batch ``[N, 3, H, W]``, as ``uint8``
    (0–255) or as floats already in [0, 1], like torchvision's ``weights.transforms()``. Images must
    be 32×32 (the size the network was trained on).

    Examples
    --------
    >>> import torch
    >>> from ainotes.models import Preprocess
    >>> preprocess = Preprocess(mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    >>> preprocess(torch.full((2, 3, 32, 32), 255, dtype=torch.uint8))[0, 0, 0, 0].item()
    2.0
    """

    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...], size: int = 32) -> None:
        super().__init__()
        self.mean, self.std = _three(mean, "mean"), _three(std, "std")
        self.size = whole(size, "size", least=1, example="size=32")

    def forward(self, image: Any) -> torch.Tensor:
        """The image (or batch) as floats in [0, 1], normalised with ``mean`` and ``std`` per channel."""
        pil = not isinstance(image, torch.Tensor)
        if pil:
            from torchvision.transforms.functional import pil_to_tensor

            try:
                image = pil_to_tensor(image)
            except TypeError:
                fix = (": for a NumPy array (H, W, 3) use torch.from_numpy(image).permute(2, 0, 1)"
                       if isinstance(image, np.ndarray) else "")  # fmt: skip
                raise TypeError(f"image must be a PIL image or a tensor, got {_a(image)}{fix}.") from None
        if image.ndim not in (3, 4) or image.shape[-3] != 3:
            if pil:
                fix = " Convert a grey or RGBA PIL image first, with image.convert('RGB')."
            elif image.ndim in (3, 4) and image.shape[-1] == 3:
                fix = f" It looks channels-last: use image.permute({'2, 0, 1' if image.ndim == 3 else '0, 3, 1, 2'})."
            else:
                fix = ""
            raise ValueError(
                f"image must be a colour image [3, H, W] or a batch [N, 3, H, W], got shape {list(image.shape)}.{fix}"
            )
        if tuple(image.shape[-2:]) != (self.size, self.size):
            raise ValueError(
                f"The network was trained on {self.size}×{self.size} images, got {image.shape[-2]}×{image.shape[-1]}: "
                f"resize first, e.g. torchvision.transforms.Resize(({self.size}, {self.size}))."
            )
        if image.dtype != torch.uint8 and not image.is_floating_point():
            raise TypeError(f"image holds {image.dtype} values: give uint8 pixels from 0 to 255 (e.g. "
                            "image.to(torch.uint8)) or floats from 0 to 1.")  # fmt: skip
        if image.is_floating_point() and image.numel():
            low, high = (float(v) for v in image.aminmax())
            if low < -0.5 or high > 1.5:  # a little over [0, 1] is resampling's overshoot, not a mistake
                span = f"all {low:.3g}" if low == high else f"from {low:.3g} to {high:.3g}"
                raise ValueError(f"image holds floats {span}, not from 0 to 1: divide 0-255 "
                                 "pixels by 255 (or give them as uint8); images normalised already need no "
                                 "Preprocess.")  # fmt: skip
        x = image.float() / 255 if image.dtype == torch.uint8 else image.float()
        mean = torch.tensor(self.mean, device=x.device).view(3, 1, 1)
        std = torch.tensor(self.std, device=x.device).view(3, 1, 1)
        return (x - mean) / std

    def extra_repr(self) -> str:
        return f"size={self.size}, mean={list(self.mean)}, std={list(self.std)}, uint8 pixels scaled by 1/255"


def _three(values: Any, name: str) -> tuple[Any, ...]:
    """``values`` as a tuple (unchanged) if they are 3 numbers on the scale of [0, 1] pixels: std positive, both <= 1."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be 3 numbers, one per colour channel, got {values!r}: e.g. {name}=(0.49, 0.47, "
                        "0.41).")  # fmt: skip
    values = tuple(values)
    if len(values) != 3:
        raise ValueError(f"{name} has {len(values)} values, {values!r}: give 3, one per colour channel (R, G, B).")
    numbers = [real(v, f"{name}[{i}]") for i, v in enumerate(values)]
    if name == "std" and min(numbers) <= 0:
        raise ValueError(f"std={values!r} holds a value that is not positive: each std divides, give positive values.")
    if not all(0 <= v <= 1 for v in numbers):
        raise ValueError(f"{name}={values!r} is not on the scale of [0, 1] pixels: give values from 0 to 1 (divide "
                         "values of 0-255 pixels by 255).")  # fmt: skip
    return values


@dataclass(frozen=True)
class _Checkpoint:
    file: str
    sha256: str
    record: str


class SmallResNetWeights(enum.Enum):
    """Pretrained weights for :func:`~ainotes.models.small_resnet`, as torchvision's ``ResNet18_Weights``.

    ``CIFAR7_V1``: trained by ``scripts/pretrain_small_resnet.py`` on the 35,000 training images of
    the seven CIFAR-10 classes other than airplane, automobile and ship. ``DEFAULT`` is the best
    available (the same member).

    Examples
    --------
    >>> from ainotes.models import SmallResNetWeights
    >>> weights = SmallResNetWeights.DEFAULT
    >>> weights.name, weights.meta["categories"][:3]
    ('CIFAR7_V1', ['bird', 'cat', 'deer'])
    >>> weights.transforms()  # doctest: +ELLIPSIS
    Preprocess(size=32, mean=[...], std=[...], uint8 pixels scaled by 1/255)
    """

    CIFAR7_V1 = _Checkpoint(
        file="small_resnet_cifar7_v1.pt",
        sha256="a1f916b7163b7c6687a7d221daf9c5cc4ce88456a81e486278255426a82663fb",
        record="small_resnet_cifar7_v1.json",
    )
    DEFAULT = CIFAR7_V1  # an alias, as in torchvision

    @property
    def meta(self) -> dict[str, Any]:
        """The metadata record (categories, normalisation, source-task accuracy, recipe, SHA-256…)."""
        meta = _record(self.value.record)
        if meta["sha256"] != self.value.sha256:
            raise CheckpointError(
                f"The metadata record {self.value.record} describes another file (SHA-256 {meta['sha256'][:16]}…, "
                f"expected {self.value.sha256[:16]}…). {_RESTORE}"
            )
        return dict(meta)

    @property
    def path(self) -> Path:
        """Where the checkpoint file is, inside the installed package."""
        return checkpoint_folder() / self.value.file

    def transforms(self) -> Preprocess:
        """The preprocessing the weights expect (scaling and normalisation), as a module."""
        meta = self.meta
        return Preprocess(tuple(meta["mean"]), tuple(meta["std"]), size=meta.get("min_size", [32])[0])

    def get_state_dict(self) -> dict[str, torch.Tensor]:
        """The checked ``state_dict``: SHA-256 first, then ``torch.load(..., weights_only=True)``."""
        return load_checkpoint(self.path, self.value.sha256)

    @classmethod
    def resolve(cls, weights: Any) -> SmallResNetWeights | None:
        """``None``, a member, or a member's name (``"CIFAR7_V1"``, ``"DEFAULT"``) as a member."""
        if weights is None or isinstance(weights, cls):
            return weights
        names = ", ".join(cls.__members__)
        choices = f'give None (random initialisation), one of {cls.__name__}.{{{names}}}, or a name such as "DEFAULT"'
        if isinstance(weights, str):
            name = weights.removeprefix(f"{cls.__name__}.")
            if name in cls.__members__:
                return cls[name]
            close = difflib.get_close_matches(name.upper(), list(cls.__members__), n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"Unknown weights {weights!r}: {choices}{guess}.")
        if weights is cls:
            raise TypeError(f"weights is the class {cls.__name__}, not a member of it: {choices}.")
        old = ' (torchvision\'s old pretrained=True is weights="DEFAULT")' if isinstance(weights, bool) else ""
        raise TypeError(f"weights must be None, a {cls.__name__} or its name, got {weights!r}{old}: {choices}.")


# A member is looked up by its value, as with any Enum. Without this, Sphinx (and ``help``) would show the signature
# of Enum's functional API, ``(value, names=None, *, module=None, ...)``, which builds a new enum instead.
SmallResNetWeights.__signature__ = inspect.Signature(
    [inspect.Parameter("value", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
)
