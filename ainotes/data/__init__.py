"""Data sets for the book: torchvision's classes, a cache folder, and an offline mirror.

Where the files come from, in this order:

1. the cache folder (``AINOTES_DATA``, default ``~/.cache/ainotes/data``), if a previous run
   prepared them there and they pass their checksums;
2. an **offline mirror**: the folders listed in ``AINOTES_MIRROR`` (separated by ``:`` on Linux
   and macOS, ``;`` on Windows), then Debian's ``/usr/share/datasets``. A classroom without
   internet copies the archives there once;
3. a download by torchvision, unless ``AINOTES_OFFLINE=1``.

Mirror layout (the same as the book's ``shared/data`` folder)::

    MNIST/raw/train-images-idx3-ubyte.gz ...   archives as torchvision downloads them
    FashionMNIST/raw/*.gz                      or fashion-mnist/*.gz (Debian's package
                                               dataset-fashion-mnist)
    cifar10/train.npz, cifar10/test.npz        arrays images (N, 32, 32, 3) uint8, labels

Every file read from a mirror is checked against a SHA-256 checksum before use, and files are
written to the cache atomically, so a damaged archive gives a clear error and leaves nothing
half-written. Several processes may load one data set into one cache folder at once (a class
sharing a network home folder): a lock file there, ``.MNIST.lock`` say, lets the first prepare
it while the others wait.
"""

from __future__ import annotations

from ainotes.data.cifar import CIFAR10Arrays, cifar10
from ainotes.data.digits import fashion_mnist, mnist
from ainotes.data.sources import (
    DATA_ENV,
    DEFAULT_MIRRORS,
    MIRROR_ENV,
    OFFLINE_ENV,
    ChecksumError,
    DataUnavailableError,
    data_root,
    mirror_folders,
)
from ainotes.data.stats import channel_stats, unnormalize
from ainotes.data.subset import ClassSubset, class_subset
from ainotes.data.tensors import as_tensors

__all__ = [
    "DATA_ENV",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "DEFAULT_MIRRORS",
    "CIFAR10Arrays",
    "ClassSubset",
    "DataUnavailableError",
    "ChecksumError",
    "as_tensors",
    "channel_stats",
    "class_subset",
    "cifar10",
    "data_root",
    "fashion_mnist",
    "mirror_folders",
    "mnist",
    "unnormalize",
]
