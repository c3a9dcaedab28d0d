"""Where data files come from: the cache folder, offline mirrors, checksums and downloads.

See :mod:`ainotes.data` for the order in which they are tried.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import inspect
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from torch.utils.data import Dataset

from ainotes.arguments import _a, flag, folder, function

__all__ = [
    "DATA_ENV",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "DEFAULT_MIRRORS",
    "ChecksumError",
    "DataUnavailableError",
    "data_root",
    "mirror_folders",
]

#: Folder where prepared data sets are cached.
DATA_ENV = "AINOTES_DATA"
#: Folders holding pre-downloaded archives, searched before any download.
MIRROR_ENV = "AINOTES_MIRROR"
#: Set to ``1`` to forbid downloads (a classroom without internet).
OFFLINE_ENV = "AINOTES_OFFLINE"
#: Mirrors searched after those in ``AINOTES_MIRROR`` (Debian's data set packages).
DEFAULT_MIRRORS: tuple[str, ...] = ("/usr/share/datasets",)

_NETWORK_TIMEOUT_S = 5.0
_CHUNK = 1 << 20

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
    """The data set is neither cached, nor in a mirror, nor downloadable.

    Examples
    --------
    >>> import tempfile
    >>> from ainotes.data import CIFAR10Arrays, DataUnavailableError
    >>> try:
    ...     CIFAR10Arrays(tempfile.mkdtemp())  # an empty folder
    ... except DataUnavailableError as error:
    ...     print(str(error).splitlines()[0])  # doctest: +ELLIPSIS
    CIFAR10 is not available: .../train.npz does not exist.
    """


class ChecksumError(RuntimeError):
    """A data file does not have the expected content (damaged or incomplete).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ainotes.data import CIFAR10Arrays, ChecksumError
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "train.npz").write_bytes(b"half an archive")
    >>> try:
    ...     CIFAR10Arrays(folder)
    ... except ChecksumError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    /.../train.npz is damaged or incomplete: its SHA-256 is ..., expected 69e4a92aabed.... Replace it ...
    """


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
        return folder(os.environ[DATA_ENV], DATA_ENV)
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

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> from ainotes.data import mirror_folders
    >>> folder = tempfile.mkdtemp()
    >>> with mock.patch.dict(os.environ, {"AINOTES_MIRROR": folder}):
    ...     mirror_folders()[0] == Path(folder)
    True
    >>> with mock.patch.dict(os.environ, {"AINOTES_MIRROR": "/no/such/folder"}):
    ...     mirror_folders()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ainotes.data.sources.DataUnavailableError: AINOTES_MIRROR names the folder '/no/such/folder', which does not exist. ...
    """
    folders = []
    for entry in os.environ.get(MIRROR_ENV, "").split(os.pathsep):
        if not entry.strip():
            continue
        path = Path(entry.strip()).expanduser()
        if path.is_file():
            raise DataUnavailableError(
                f"{MIRROR_ENV} names {str(path)!r}, which is a file, not a folder: give the folder that holds "
                "the data sets' sub-folders (MNIST, cifar10, ...)."
            )
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
    for mirror in mirror_folders():
        for layout in _MIRROR_LAYOUTS[name]:
            candidate = mirror / layout
            if all((candidate / f).is_file() for f in files):
                return candidate
    return None


# --------------------------------------------------------------------------------------------
# Arguments of the loaders
# --------------------------------------------------------------------------------------------
def _transform(value: Any, name: str, example: str) -> Callable | None:
    """``value`` if it is None or a transform; a transform's class or a list of transforms explained."""
    if value is None:
        return None
    labels = name == "target_transform"
    if isinstance(value, type) and any("__call__" in vars(k) for k in value.__mro__[:-1]):
        if labels:
            raise TypeError(f"{name}={value.__name__} is a class, not a transform: give a function of the label, "
                            f"e.g. {example}.")  # fmt: skip
        if _needs_arguments(value):
            raise TypeError(f"{name}={value.__name__} is a class, not a transform: create one with its arguments, "
                            f"e.g. {name}={value.__name__}(...).")  # fmt: skip
        raise TypeError(f"{name}={value.__name__} is a class, not a transform: add () to create one, e.g. "
                        f"{name}={value.__name__}().")  # fmt: skip
    if isinstance(value, (list, tuple)):
        items = f"{len(value)} item{'' if len(value) == 1 else 's'}"
        chained = "lambda label: ..., ..." if labels else "ToTensor(), ..."
        raise TypeError(f"{name} is {_a(value)} of {items}: to apply several transforms, "
                        f"chain them with transforms.Compose([...]), e.g. {name}=Compose([{chained}]).")  # fmt: skip
    return function(value, name, example=example)


def _needs_arguments(cls: type) -> bool:
    """Whether creating ``cls`` needs arguments (its ``__init__`` has parameters without defaults)."""
    try:
        parameters = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return False
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return any(p.default is inspect.Parameter.empty and p.kind in kinds for p in parameters)


def _loader_arguments(train: Any, transform: Any, target_transform: Any) -> tuple[bool, Any, Any]:
    """The arguments every loader shares, checked before any file is read."""
    return (
        flag(train, "train"),
        _transform(transform, "transform", "transform=ToTensor()"),
        _transform(target_transform, "target_transform", "target_transform=lambda label: label % 2"),
    )


def _cache_root(root: Any) -> Path:
    """The cache folder: ``root`` if given (a folder or a path to create), else :func:`data_root`."""
    path = data_root() if root is None else folder(root, "root")
    if (blocker := next((p for p in path.parents if p.exists()), None)) and not blocker.is_dir():
        raise ValueError(f"{'root' if root is not None else DATA_ENV}={str(path)!r} cannot be a folder: {blocker} "
                         "is a file. Give a folder path, e.g. ~/ainotes-data.")  # fmt: skip
    return path


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


def _offline() -> bool:
    """Whether ``AINOTES_OFFLINE`` forbids downloads: 1/true/yes/on do, ''/0/false/no/off do not."""
    value = os.environ.get(OFFLINE_ENV, "")
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(f"{OFFLINE_ENV}={value!r} is not understood: set it to 1 (true, yes, on) to forbid downloads, or "
                     f"to 0 (false, no, off) or unset it to allow them.")  # fmt: skip


def _download(name: str, make: Callable[[], Dataset]) -> Dataset:
    """Run torchvision's download for ``name``, turning network failures into one clear error."""
    if _offline():
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
