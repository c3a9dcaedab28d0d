"""MNIST and Fashion-MNIST: IDX files checked against their checksums, read by torchvision's classes."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch.utils.data import Dataset

from ainotes.data.sources import (
    _checksum_error,
    _download,
    _find_in_mirror,
    _gunzip,
    _sha256_bytes,
    _sha256_file,
    _write_atomic,
    data_root,
)

__all__ = ["fashion_mnist", "mnist"]

# SHA-256 of the decompressed IDX files (what torchvision reads) and, for MNIST, of the archives
# torchvision downloads. Debian's Fashion-MNIST archives differ from upstream only in the gzip
# header, so they are checked through their decompressed content.
_IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")  # fmt: skip
_RAW_SHA256 = {
    "MNIST": {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    "FashionMNIST": {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
}
_MNIST_GZ_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

# --------------------------------------------------------------------------------------------
# MNIST and Fashion-MNIST (IDX files, torchvision's classes)
# --------------------------------------------------------------------------------------------
# Files already verified in this process, keyed by (path, size, modification time): a file that
# changes is checked again, an unchanged one is not hashed twice (train and test splits share files).
_VERIFIED: set[tuple[str, int, int]] = set()


def _raw_ready(name: str, raw: Path) -> bool:
    """Whether the decompressed files are in the cache and intact; removes damaged ones."""
    ready = True
    for file, expected in _RAW_SHA256[name].items():
        path = raw / file
        if not path.is_file():
            ready = False
            continue
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key in _VERIFIED:
            continue
        if _sha256_file(path) != expected:
            path.unlink()  # damaged cache: rebuilt below from the mirror or a download
            ready = False
        else:
            _VERIFIED.add(key)
    return ready


def _prepare_idx(name: str, root: Path) -> bool:
    """Make ``root/name/raw`` hold verified IDX files. Returns False if a download is needed."""
    raw = root / name / "raw"
    if _raw_ready(name, raw):
        return True
    source = _find_in_mirror(name, [f + ".gz" for f in _IDX_FILES])
    if source is None:
        return False
    if name == "MNIST":  # archives as torchvision downloads them: torchvision checks their md5
        for file, expected in _MNIST_GZ_SHA256.items():
            data = (source / file).read_bytes()
            if (actual := _sha256_bytes(data)) != expected:
                raise _checksum_error(source / file, expected, actual)
            _write_atomic(raw / file, data)
    else:  # Debian's archives: check the content, since their gzip headers differ from upstream
        for file, expected in _RAW_SHA256[name].items():
            data = _gunzip(source / (file + ".gz"))
            if (actual := _sha256_bytes(data)) != expected:
                raise _checksum_error(source / (file + ".gz"), expected, actual)
            _write_atomic(raw / file, data)
    return True


def _idx_dataset(name: str, cls: Any, train: bool, transform, target_transform, root) -> Dataset:
    root = Path(root).expanduser() if root is not None else data_root()
    kwargs = dict(train=train, transform=transform, target_transform=target_transform)
    if _prepare_idx(name, root):
        # Offline path: torchvision only checks and extracts local archives here.
        with contextlib.redirect_stdout(io.StringIO()):
            return cls(str(root), download=True, **kwargs)
    return _download(name, lambda: cls(str(root), download=True, **kwargs))


def mnist(
    train: bool = True,
    transform: Callable | None = None,
    target_transform: Callable | None = None,
    root: str | os.PathLike | None = None,
) -> Dataset:
    """The MNIST hand-written digits (60,000 training and 10,000 test images, 28×28, grey).

    Returns torchvision's ``MNIST`` dataset, with ``data``, ``targets``, ``classes`` and
    ``transform``. Files come from the cache, an offline mirror, or a download (module docs).

    Examples
    --------
    >>> from ainotes.data import mnist
    >>> train = mnist()  # doctest: +SKIP
    >>> train.data.shape, train.targets[:3]  # doctest: +SKIP
    (torch.Size([60000, 28, 28]), tensor([5, 0, 4]))
    """
    from torchvision.datasets import MNIST

    return _idx_dataset("MNIST", MNIST, train, transform, target_transform, root)


def fashion_mnist(
    train: bool = True,
    transform: Callable | None = None,
    target_transform: Callable | None = None,
    root: str | os.PathLike | None = None,
) -> Dataset:
    """Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28×28, grey, 10 classes.

    Returns torchvision's ``FashionMNIST`` dataset. Offline, Debian's package
    ``dataset-fashion-mnist`` is found without any setting.

    Examples
    --------
    >>> from ainotes.data import fashion_mnist
    >>> test = fashion_mnist(train=False)  # doctest: +SKIP
    >>> len(test), test.classes[0]  # doctest: +SKIP
    (10000, 'T-shirt/top')
    """
    from torchvision.datasets import FashionMNIST

    return _idx_dataset("FashionMNIST", FashionMNIST, train, transform, target_transform, root)
