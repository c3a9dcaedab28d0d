"""CIFAR-10 from the arrays of an offline mirror, or from torchvision's download."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from torch.utils.data import Dataset

from ainotes.arguments import folder as _folder
from ainotes.data._lock import _cache_lock
from ainotes.data.sources import (
    ChecksumError,
    _cache_root,
    _checksum_error,
    _download,
    _find_in_mirror,
    _loader_arguments,
    _sha256_bytes,
    _unavailable,
)

__all__ = ["CIFAR10Arrays", "cifar10"]

_CIFAR_SHA256 = {
    "train.npz": "69e4a92aabedb1dd3e0c84e581b8e86f50c560d7b97db2336c20291463ce9183",
    "test.npz": "f0af87a8a9f49a2afa5273786cb6887e59c1d2469a75111296c8135b01d9b8ed",
}
_CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                  "dog", "frog", "horse", "ship", "truck")  # fmt: skip


# --------------------------------------------------------------------------------------------
# CIFAR-10
# --------------------------------------------------------------------------------------------
class CIFAR10Arrays(Dataset):
    """CIFAR-10 read from ``train.npz`` / ``test.npz`` arrays, with torchvision's interface.

    The arrays hold exactly the pixels and labels of the original archive, in its order:
    ``dataset.data[i]`` equals ``torchvision.datasets.CIFAR10(...).data[i]``. Items are
    ``(PIL image, label)`` before ``transform`` and ``target_transform``, as in torchvision.

    Parameters
    ----------
    folder : path
        Folder holding ``train.npz`` and ``test.npz``.
    train : bool, default True
        The 50,000 training images, else the 10,000 test images.
    transform, target_transform : callable, optional
        Applied to each image and label.

    Examples
    --------
    >>> import tempfile
    >>> from ainotes.data import CIFAR10Arrays, DataUnavailableError
    >>> test = CIFAR10Arrays("/path/to/mirror/cifar10", train=False)  # doctest: +SKIP
    >>> len(test), test.classes[test.targets[0]]  # doctest: +SKIP
    (10000, 'cat')
    >>> try:
    ...     CIFAR10Arrays(tempfile.mkdtemp())  # an empty folder
    ... except DataUnavailableError as error:
    ...     print(str(error).splitlines()[0])  # doctest: +ELLIPSIS
    CIFAR10 is not available: .../train.npz does not exist.
    """

    classes: list[str] = list(_CIFAR_CLASSES)

    def __init__(
        self,
        folder: str | os.PathLike,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        train, transform, target_transform = _loader_arguments(train, transform, target_transform)
        path = _folder(folder, "folder") / ("train.npz" if train else "test.npz")
        self.root = str(folder)
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if not path.is_file():
            raise _unavailable("CIFAR10", f"{path} does not exist.")
        raw = path.read_bytes()
        expected = _CIFAR_SHA256[path.name]
        if (actual := _sha256_bytes(raw)) != expected:
            raise _checksum_error(path, expected, actual)
        with np.load(io.BytesIO(raw)) as arrays:
            images, labels = arrays["images"], arrays["labels"]
        if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (32, 32, 3):
            raise ValueError(f"{path}: expected uint8 images of shape (N, 32, 32, 3).")
        self.data: np.ndarray = images
        self.targets: list[int] = labels.astype(np.int64).tolist()
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from PIL import Image

        image, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}", f"    Split: {split}"]  # fmt: skip
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        return "\n".join(lines)


def cifar10(
    train: bool = True,
    transform: Callable | None = None,
    target_transform: Callable | None = None,
    root: str | os.PathLike | None = None,
) -> Dataset:
    """CIFAR-10: 50,000 training and 10,000 test colour images, 32×32, in 10 classes.

    With an offline mirror this is a :class:`CIFAR10Arrays` (torchvision cannot verify the
    mirror's arrays); otherwise torchvision's own ``CIFAR10``, downloaded into the cache folder.
    Both have ``data`` (N, 32, 32, 3 uint8), ``targets``, ``classes`` and ``transform``.

    Examples
    --------
    >>> from ainotes.data import cifar10
    >>> train = cifar10()  # doctest: +SKIP
    >>> train.classes[train.targets[0]]  # doctest: +SKIP
    'frog'
    """
    train, transform, target_transform = _loader_arguments(train, transform, target_transform)
    root = _cache_root(root)
    folder = _find_in_mirror("CIFAR10", list(_CIFAR_SHA256))
    if folder is not None:
        return CIFAR10Arrays(folder, train, transform, target_transform)
    from torchvision.datasets import CIFAR10

    kwargs = dict(train=train, transform=transform, target_transform=target_transform)
    batches = root / "cifar-10-batches-py"
    if batches.is_dir():  # torchvision checks every file's md5: a folder another process still extracts fails
        with contextlib.suppress(RuntimeError):
            return CIFAR10(str(root), download=False, **kwargs)
    with _cache_lock(root, "CIFAR10"):  # the first process downloads and extracts, the others wait
        if batches.is_dir():
            try:
                return CIFAR10(str(root), download=False, **kwargs)
            except RuntimeError:
                raise ChecksumError(
                    f"{batches} is incomplete or damaged (its files fail torchvision's checksums): delete this "
                    "folder and run this again, to download CIFAR-10 afresh."
                ) from None
        return _download("CIFAR10", lambda: CIFAR10(str(root), download=True, **kwargs))
