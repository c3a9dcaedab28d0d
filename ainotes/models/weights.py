"""Pretrained weights for the small ResNet, with torchvision's weights API.

torchvision describes each set of pretrained weights with an enum member
(``ResNet18_Weights.IMAGENET1K_V1``) that knows its file, its metadata (``.meta``) and the
preprocessing its images need (``.transforms()``). :class:`SmallResNetWeights` does the same for
the book's own checkpoint, which ships inside the package instead of being downloaded, so it
works offline. Loading checks the file's SHA-256 first and then reads it with
``torch.load(..., weights_only=True)``, which refuses anything but tensors and plain containers.
"""

from __future__ import annotations

import enum
import inspect
import json
import pickle
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import torch
from torch import nn

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
        The file is missing, differs from its checksum, is not a PyTorch file, holds objects other
        than tensors (``weights_only=True`` refuses them), or is not a ``state_dict``.

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
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"The checkpoint {path} does not exist. {_advice(path)}")
    if sha256 is not None and (actual := _sha256_file(path)) != sha256:
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
        self.mean, self.std, self.size = tuple(mean), tuple(std), size

    def forward(self, image: Any) -> torch.Tensor:
        """The image (or batch) as floats in [0, 1], normalised with ``mean`` and ``std`` per channel."""
        if not isinstance(image, torch.Tensor):
            from torchvision.transforms.functional import pil_to_tensor

            try:
                image = pil_to_tensor(image)
            except TypeError:
                raise TypeError(f"Expected a PIL image or a tensor, got a {type(image).__name__}.") from None
        if image.ndim not in (3, 4) or image.shape[-3] != 3:
            raise ValueError(
                f"Expected a colour image [3, H, W] or a batch [N, 3, H, W], got shape {list(image.shape)}."
            )
        if tuple(image.shape[-2:]) != (self.size, self.size):
            raise ValueError(
                f"The network was trained on {self.size}×{self.size} images, got {image.shape[-2]}×{image.shape[-1]}: "
                f"resize first, e.g. torchvision.transforms.Resize(({self.size}, {self.size}))."
            )
        x = image.float() / 255 if image.dtype == torch.uint8 else image.float()
        mean = torch.tensor(self.mean, device=x.device).view(3, 1, 1)
        std = torch.tensor(self.std, device=x.device).view(3, 1, 1)
        return (x - mean) / std

    def extra_repr(self) -> str:
        return f"size={self.size}, mean={list(self.mean)}, std={list(self.std)}, uint8 pixels scaled by 1/255"


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
        if isinstance(weights, str):
            name = weights.removeprefix(f"{cls.__name__}.")
            if name in cls.__members__:
                return cls[name]
        names = ", ".join(cls.__members__)
        raise ValueError(
            f"Unknown weights {weights!r}: give None (random initialisation), one of {cls.__name__}.{{{names}}}, "
            f'or a name such as "DEFAULT".'
        )


# A member is looked up by its value, as with any Enum. Without this, Sphinx (and ``help``) would show the signature
# of Enum's functional API, ``(value, names=None, *, module=None, ...)``, which builds a new enum instead.
SmallResNetWeights.__signature__ = inspect.Signature(
    [inspect.Parameter("value", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
)
