"""MNIST and Fashion-MNIST: IDX files checked against their checksums, read by torchvision's classes."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch.utils.data import Dataset

from ainotes.data._lock import _cache_lock
from ainotes.data.sources import (
    _cache_root,
    _checksum_error,
    _download,
    _find_in_mirror,
    _gunzip,
    _loader_arguments,
    _sha256_bytes,
    _sha256_file,
    _write_atomic,
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


def _raw_ready(name: str, raw: Path, *, repair: bool) -> bool:
    """Whether the decompressed files are in the cache and intact; with ``repair``, removes damaged ones.

    Files are only ever written whole (a temporary file renamed), so a file that fails its checksum is
    damaged, or is being written by torchvision's download in another process (which holds the lock).
    """
    ready = True
    for file, expected in _RAW_SHA256[name].items():
        path = raw / file
        try:  # another process may replace or remove the file meanwhile
            stat = path.stat()
            key = (str(path), stat.st_size, stat.st_mtime_ns)
            intact = key in _VERIFIED or (path.is_file() and _sha256_file(path) == expected)
        except FileNotFoundError:
            ready = False
            continue
        if intact:
            _VERIFIED.add(key)
        else:
            if repair and path.is_file():  # damaged cache: rebuilt from the mirror or a download
                path.unlink(missing_ok=True)
            ready = False
    return ready


def _prepare_idx(name: str, root: Path) -> bool:
    """Make ``root/name/raw`` hold verified IDX files (the lock held). Returns False if a download is needed.

    Every archive is checked before anything is written, and each file is written whole, under a
    temporary name then renamed, so no process ever reads a half-written file.
    """
    raw = root / name / "raw"
    if _raw_ready(name, raw, repair=True):
        return True
    source = _find_in_mirror(name, [f + ".gz" for f in _IDX_FILES])
    if source is None:
        return False
    files: dict[str, bytes] = {}
    if name == "MNIST":  # archives as torchvision downloads them: kept in the cache too, as torchvision does
        for file, expected in _MNIST_GZ_SHA256.items():
            files[file] = (source / file).read_bytes()
            if (actual := _sha256_bytes(files[file])) != expected:
                raise _checksum_error(source / file, expected, actual)
        files.update({file: gzip.decompress(files[file + ".gz"]) for file in _IDX_FILES})
    else:  # Debian's archives: check the content, since their gzip headers differ from upstream
        for file, expected in _RAW_SHA256[name].items():
            files[file] = _gunzip(source / (file + ".gz"))
            if (actual := _sha256_bytes(files[file])) != expected:
                raise _checksum_error(source / (file + ".gz"), expected, actual)
    for file, data in files.items():
        _write_atomic(raw / file, data)
        if file in _IDX_FILES:  # checked above: not hashed again
            stat = (raw / file).stat()
            _VERIFIED.add((str(raw / file), stat.st_size, stat.st_mtime_ns))
    return True


def _idx_dataset(name: str, cls: Any, train: Any, transform: Any, target_transform: Any, root: Any) -> Dataset:
    train, transform, target_transform = _loader_arguments(train, transform, target_transform)
    root = _cache_root(root)
    kwargs = dict(train=train, transform=transform, target_transform=target_transform)
    if not _raw_ready(name, root / name / "raw", repair=False):  # a cache prepared earlier needs no lock
        with _cache_lock(root, name):  # the first process prepares the files, the others wait for them
            if not _prepare_idx(name, root):
                return _download(name, lambda: cls(str(root), download=True, **kwargs))
    return cls(str(root), **kwargs)  # the files are whole and verified: torchvision only reads them


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
