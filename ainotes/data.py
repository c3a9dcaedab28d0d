"""Data sets for the book: torchvision's classes, a cache folder, and an offline mirror.

Where the files come from, in this order:

1. the cache folder (``AINOTES_DATA``, default ``~/.cache/ainotes/data``), if a previous run
   prepared them there and they pass their checksums;
2. an **offline mirror**: the folders listed in ``AINOTES_MIRROR`` (separated by ``:`` on Linux
   and macOS, ``;`` on Windows), then Debian's ``/usr/share/datasets``. A classroom without
   internet copies the archives there once;
3. a download by torchvision, unless ``AINOTES_OFFLINE=1``.

Mirror layout (the same as the book's ``shared/data`` folder)::

    MNIST/raw/train-images-idx3-ubyte.gz ...   archives exactly as torchvision downloads them
    FashionMNIST/raw/*.gz  or  fashion-mnist/*.gz   (Debian's package ``dataset-fashion-mnist``)
    cifar10/train.npz, cifar10/test.npz        arrays ``images`` (N, 32, 32, 3) uint8, ``labels``

Every file read from a mirror is checked against a SHA-256 checksum before use, and files are
written to the cache atomically, so a damaged archive gives a clear error and leaves nothing
half-written.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, Subset

__all__ = [
    "DATA_ENV",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "CIFAR10Arrays",
    "DataUnavailableError",
    "ChecksumError",
    "as_tensors",
    "channel_stats",
    "cifar10",
    "data_root",
    "fashion_mnist",
    "mirror_folders",
    "mnist",
]

#: Folder where prepared data sets are cached.
DATA_ENV = "AINOTES_DATA"
#: Folders holding pre-downloaded archives, searched before any download.
MIRROR_ENV = "AINOTES_MIRROR"
#: Set to ``1`` to forbid downloads (a classroom without internet).
OFFLINE_ENV = "AINOTES_OFFLINE"
#: Mirrors searched after those in ``AINOTES_MIRROR``: Debian's data set packages.
DEFAULT_MIRRORS: tuple[str, ...] = ("/usr/share/datasets",)

_NETWORK_TIMEOUT_S = 5.0
_CHUNK = 1 << 20

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
_CIFAR_SHA256 = {
    "train.npz": "69e4a92aabedb1dd3e0c84e581b8e86f50c560d7b97db2336c20291463ce9183",
    "test.npz": "f0af87a8a9f49a2afa5273786cb6887e59c1d2469a75111296c8135b01d9b8ed",
}
_CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                  "dog", "frog", "horse", "ship", "truck")  # fmt: skip
# Sub-folders of a mirror where each data set may lie.
_MIRROR_LAYOUTS = {
    "MNIST": ("MNIST/raw",),
    "FashionMNIST": ("FashionMNIST/raw", "fashion-mnist"),
    "CIFAR10": ("cifar10",),
}
# A host each download starts from, used to fail fast when there is no network.
_DOWNLOAD_HOSTS = {
    "MNIST": "ossci-datasets.s3.amazonaws.com",
    "FashionMNIST": "fashion-mnist.s3-website.eu-central-1.amazonaws.com",
    "CIFAR10": "www.cs.toronto.edu",
}


class DataUnavailableError(RuntimeError):
    """The data set is neither cached, nor in a mirror, nor downloadable."""


class ChecksumError(RuntimeError):
    """A data file does not have the expected content (damaged or incomplete)."""


# --------------------------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------------------------
def data_root() -> Path:
    """Folder where data sets are cached: ``AINOTES_DATA``, else ``~/.cache/ainotes/data``.

    Examples
    --------
    >>> import os
    >>> from ainotes.data import data_root
    >>> os.environ["AINOTES_DATA"] = "/tmp/book-data"
    >>> str(data_root())
    '/tmp/book-data'
    >>> del os.environ["AINOTES_DATA"]
    """
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "ainotes" / "data"


def mirror_folders() -> list[Path]:
    """Folders searched for pre-downloaded archives, in order.

    Those listed in ``AINOTES_MIRROR`` come first (each must exist), then Debian's
    ``/usr/share/datasets`` if present.

    Raises
    ------
    DataUnavailableError
        A folder named in ``AINOTES_MIRROR`` does not exist (a typo would otherwise be silent).
    """
    folders = []
    for entry in os.environ.get(MIRROR_ENV, "").split(os.pathsep):
        if not entry.strip():
            continue
        path = Path(entry.strip()).expanduser()
        if not path.is_dir():
            raise DataUnavailableError(
                f"{MIRROR_ENV} names the folder {str(path)!r}, which does not exist. "
                f"Fix the path, or unset {MIRROR_ENV} to download the data instead."
            )
        folders.append(path)
    folders += [Path(p) for p in DEFAULT_MIRRORS if Path(p).is_dir()]
    return folders


def _find_in_mirror(name: str, files: Sequence[str]) -> Path | None:
    """First mirror sub-folder that holds all ``files`` for data set ``name``."""
    for folder in mirror_folders():
        for layout in _MIRROR_LAYOUTS[name]:
            candidate = folder / layout
            if all((candidate / f).is_file() for f in files):
                return candidate
    return None


# --------------------------------------------------------------------------------------------
# Checksums and atomic writes
# --------------------------------------------------------------------------------------------
def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _checksum_error(path: Path, expected: str, actual: str) -> ChecksumError:
    return ChecksumError(
        f"{path} is damaged or incomplete: its SHA-256 is {actual[:12]}..., expected "
        f"{expected[:12]}.... Replace it with a fresh copy of the archive (in a mirror, "
        "`sha256sum -c SHA256SUMS` shows which files are bad), then run this again."
    )


def _write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file, so no half-written file remains."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _gunzip(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read()
    except (OSError, EOFError) as exc:
        raise ChecksumError(f"{path} is not a readable gzip archive ({exc}). Replace it with a fresh copy.") from None


# --------------------------------------------------------------------------------------------
# Downloads that fail fast
# --------------------------------------------------------------------------------------------
def _unavailable(name: str, reason: str) -> DataUnavailableError:
    where = ", ".join(str(f) for f in mirror_folders()) or "none"
    return DataUnavailableError(
        f"{name} is not available: {reason}\n"
        f"Offline or in a classroom, put the archives in a folder and point {MIRROR_ENV} at it, "
        f"e.g. `export {MIRROR_ENV}=/path/to/data` (layout: {name} files under "
        f"{' or '.join(_MIRROR_LAYOUTS[name])}; see the README, 'Offline and classroom use'). "
        f"Mirror folders searched: {where}."
    )


def _resolve(host: str, timeout: float) -> None:
    """Resolve ``host`` within ``timeout`` seconds (DNS look-ups ignore socket timeouts)."""
    outcome: list[BaseException | None] = []

    def look_up() -> None:
        try:
            socket.getaddrinfo(host, 443)
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise TimeoutError(f"no answer from the network within {timeout:.0f} s")
    if outcome[0] is not None:
        raise outcome[0]


def _download(name: str, make: Callable[[], Dataset]) -> Dataset:
    """Run torchvision's download for ``name``, turning network failures into one clear error."""
    if os.environ.get(OFFLINE_ENV, "").strip() not in ("", "0"):
        raise _unavailable(name, f"it is in no mirror and {OFFLINE_ENV} forbids downloads.")
    try:
        _resolve(_DOWNLOAD_HOSTS[name], _NETWORK_TIMEOUT_S)
    except OSError as exc:
        raise _unavailable(name, f"it is in no mirror and there is no network ({exc}).") from None
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30)
    try:
        return make()
    except (OSError, RuntimeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _unavailable(name, f"the download failed ({first_line}).") from None
    finally:
        socket.setdefaulttimeout(previous)


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
    >>> train = mnist()                      # doctest: +SKIP
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
    >>> test = fashion_mnist(train=False)   # doctest: +SKIP
    >>> len(test), test.classes[0]          # doctest: +SKIP
    (10000, 'T-shirt/top')
    """
    from torchvision.datasets import FashionMNIST

    return _idx_dataset("FashionMNIST", FashionMNIST, train, transform, target_transform, root)


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
    """

    classes: list[str] = list(_CIFAR_CLASSES)

    def __init__(
        self,
        folder: str | os.PathLike,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        self.root = str(folder)
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        path = Path(folder) / ("train.npz" if train else "test.npz")
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
    >>> train = cifar10()                    # doctest: +SKIP
    >>> train.classes[train.targets[0]]      # doctest: +SKIP
    'frog'
    """
    folder = _find_in_mirror("CIFAR10", list(_CIFAR_SHA256))
    if folder is not None:
        return CIFAR10Arrays(folder, train, transform, target_transform)
    from torchvision.datasets import CIFAR10

    root = Path(root).expanduser() if root is not None else data_root()
    kwargs = dict(train=train, transform=transform, target_transform=target_transform)
    if (root / "cifar-10-batches-py").is_dir():
        return CIFAR10(str(root), download=False, **kwargs)
    return _download("CIFAR10", lambda: CIFAR10(str(root), download=True, **kwargs))


# --------------------------------------------------------------------------------------------
# Fast tensors and statistics
# --------------------------------------------------------------------------------------------
def _raw_arrays(dataset: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Images as uint8 (N, C, H, W) and labels as int64, straight from ``data``/``targets``."""
    if isinstance(dataset, Subset):
        images, labels = _raw_arrays(dataset.dataset)
        index = torch.as_tensor(list(dataset.indices), dtype=torch.long)
        return images[index], labels[index]
    if not (hasattr(dataset, "data") and hasattr(dataset, "targets")):
        raise TypeError(
            f"{type(dataset).__name__} has no `data` and `targets` arrays. Pass a torchvision-style "
            "dataset (MNIST, FashionMNIST, CIFAR10, CIFAR10Arrays) or a Subset of one."
        )
    images = torch.as_tensor(np.asarray(dataset.data))
    if images.dtype != torch.uint8:
        raise TypeError(f"Expected uint8 pixels in `data`, got {images.dtype}.")
    if images.ndim == 3:  # (N, H, W) grey
        images = images.unsqueeze(1)
    elif images.ndim == 4 and images.shape[-1] in (1, 3):  # (N, H, W, C) as in CIFAR-10
        images = images.permute(0, 3, 1, 2)
    else:
        raise ValueError(f"Expected images of shape (N, H, W) or (N, H, W, C), got {tuple(images.shape)}.")
    labels = torch.as_tensor(np.asarray(dataset.targets), dtype=torch.long)
    return images.contiguous(), labels


def as_tensors(
    dataset: Any,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole split as two tensors, fast: float images in [0, 1] (N, C, H, W) and int64 labels.

    This does in one step what ``ToTensor()`` (and ``Normalize(mean, std)`` when given) do image
    by image, reading the dataset's ``data`` and ``targets`` arrays directly. The dataset's own
    ``transform`` is not applied.

    Examples
    --------
    >>> import torch
    >>> from ainotes.data import as_tensors
    >>> class Tiny:
    ...     data = torch.full((2, 4, 4), 255, dtype=torch.uint8)
    ...     targets = [3, 1]
    >>> x, y = as_tensors(Tiny())
    >>> x.shape, x.max().item(), y.tolist()
    (torch.Size([2, 1, 4, 4]), 1.0, [3, 1])
    """
    images, labels = _raw_arrays(dataset)
    x = images.float().div_(255)
    if (mean is None) != (std is None):
        raise ValueError("Give both `mean` and `std` to normalise, or neither.")
    if mean is not None:
        channels = x.shape[1]
        if len(mean) != channels or len(std) != channels:
            raise ValueError(f"The images have {channels} channel(s): give {channels} mean and std values.")
        m = torch.tensor(mean, dtype=x.dtype).view(1, -1, 1, 1)
        s = torch.tensor(std, dtype=x.dtype).view(1, -1, 1, 1)
        x.sub_(m).div_(s)
    return x, labels


def channel_stats(data: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of pixel values scaled to [0, 1].

    ``data`` is a torchvision-style dataset or a float tensor (N, C, H, W). Computed in float64,
    chunk by chunk, so CIFAR-10's 153 million values take little memory.

    Examples
    --------
    >>> import torch
    >>> from ainotes.data import channel_stats
    >>> x = torch.stack([torch.zeros(3, 2, 2), torch.ones(3, 2, 2)])
    >>> mean, std = channel_stats(x)
    >>> mean
    (0.5, 0.5, 0.5)
    """
    if isinstance(data, torch.Tensor):
        if data.ndim != 4:
            raise ValueError(f"Expected a tensor of shape (N, C, H, W), got {tuple(data.shape)}.")
        images, scale = data, 1.0
    else:
        images, scale = _raw_arrays(data)[0], 1.0 / 255
    channels = images.shape[1]
    total = torch.zeros(channels, dtype=torch.float64)
    squares = torch.zeros(channels, dtype=torch.float64)
    for chunk in images.split(4096):
        chunk = chunk.to(torch.float64).mul_(scale).transpose(0, 1).reshape(channels, -1)
        total += chunk.sum(1)
        squares += chunk.square().sum(1)
    count = images.numel() // channels
    mean = total / count
    std = ((squares - count * mean.square()) / (count - 1)).clamp_min(0).sqrt()  # unbiased, as torch.std
    return tuple(mean.tolist()), tuple(std.tolist())
