import gzip
import shutil
import time

import numpy as np
import pytest
import torch

from ainotes.data import (
    ChecksumError,
    DataUnavailableError,
    as_tensors,
    channel_stats,
    cifar10,
    data_root,
    digits,
    fashion_mnist,
    mirror_folders,
    mnist,
    sources,
)


# ---------------------------------------------------------------- folders
def test_data_root_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AINOTES_DATA", str(tmp_path))
    assert data_root() == tmp_path


def test_data_root_default_is_a_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("AINOTES_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_root() == tmp_path / "ainotes" / "data"


def test_mirror_list_keeps_order_and_rejects_missing_folders(monkeypatch, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    monkeypatch.setattr(sources, "DEFAULT_MIRRORS", ())
    monkeypatch.setenv("AINOTES_MIRROR", f"{b}:{a}")
    assert mirror_folders() == [b, a]
    monkeypatch.setenv("AINOTES_MIRROR", str(tmp_path / "typo"))
    with pytest.raises(DataUnavailableError, match="does not exist"):
        mirror_folders()


# ---------------------------------------------------------------- real data (cache, mirror or download)
def test_mnist_from_scratch(fresh_cache):
    train, test = mnist(), mnist(train=False)
    assert train.data.shape == (60000, 28, 28) and len(test) == 10000
    assert train.targets[:3].tolist() == [5, 0, 4]
    assert (fresh_cache / "MNIST" / "raw" / "train-images-idx3-ubyte").is_file()


def test_fashion_mnist_classes_and_sizes(fresh_cache):
    train, test = fashion_mnist(), fashion_mnist(train=False)
    assert (len(train), len(test)) == (60000, 10000)
    assert train.classes[0] == "T-shirt/top" and train.classes[9] == "Ankle boot"
    assert torch.bincount(train.targets).tolist() == [6000] * 10


def test_second_load_uses_the_cache(fresh_cache, monkeypatch):
    fashion_mnist()
    monkeypatch.setattr(digits, "_find_in_mirror", lambda *a: pytest.fail("mirror read again"))
    assert len(fashion_mnist()) == 60000


def test_damaged_cache_file_is_rebuilt(fresh_cache):
    fashion_mnist(train=False)
    target = fresh_cache / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte"
    target.write_bytes(target.read_bytes()[:100])  # truncated, as by a full disk
    test = fashion_mnist(train=False)
    assert len(test) == 10000 and sources._sha256_file(target) == digits._RAW_SHA256["FashionMNIST"][target.name]


def test_cifar10_interface():
    train, test = cifar10(), cifar10(train=False)
    assert train.data.shape == (50000, 32, 32, 3) and train.data.dtype == np.uint8
    assert len(test) == 10000 and len(train.classes) == 10
    assert train.classes[train.targets[0]] == "frog"
    assert train.classes[train.targets[79]] == "automobile"
    image, label = train[0]
    assert image.size == (32, 32) and label == 6


def test_cifar10_transform_is_applied():
    from torchvision.transforms import ToTensor

    image, label = cifar10(train=False, transform=ToTensor(), target_transform=str)[0]
    assert image.shape == (3, 32, 32) and 0 <= image.min() and image.max() <= 1
    assert isinstance(label, str)


def test_cifar10_channel_statistics_match_the_articles():
    mean, std = channel_stats(cifar10())
    assert np.allclose(mean, (0.4914, 0.4822, 0.4465), atol=5e-5)
    assert np.allclose(std, (0.2470, 0.2435, 0.2616), atol=5e-5)


def test_as_tensors_equals_to_tensor_per_image(fresh_cache):
    from torchvision.transforms import ToTensor

    test = fashion_mnist(train=False)
    x, y = as_tensors(test)
    assert x.shape == (10000, 1, 28, 28) and x.dtype == torch.float32 and y.dtype == torch.long
    slow = fashion_mnist(train=False, transform=ToTensor())
    for i in (0, 1, 9999):
        assert torch.equal(x[i], slow[i][0]) and y[i] == slow[i][1]


def test_as_tensors_normalises_and_handles_subsets():
    from torch.utils.data import Subset

    data = cifar10(train=False)
    x, _ = as_tensors(data, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    assert x.shape == (10000, 3, 32, 32) and x.min() >= -1 and x.max() <= 1
    xs, ys = as_tensors(Subset(data, [5, 2]))
    assert torch.allclose(xs[1], (x[2] + 1) / 2) and ys.tolist() == [data.targets[5], data.targets[2]]


def test_as_tensors_errors():
    with pytest.raises(TypeError, match="no `data` and `targets`"):
        as_tensors([1, 2, 3])
    with pytest.raises(ValueError, match="both `mean` and `std`"):
        as_tensors(cifar10(train=False), mean=(0.5,) * 3)
    with pytest.raises(ValueError, match="3 channel"):
        as_tensors(cifar10(train=False), mean=(0.5,), std=(0.5,))


def test_channel_stats_of_a_tensor_and_bad_shape():
    x = torch.rand(10, 2, 4, 4)
    mean, std = channel_stats(x)
    assert np.allclose(mean, x.transpose(0, 1).reshape(2, -1).mean(1).tolist())
    assert np.allclose(std, x.transpose(0, 1).reshape(2, -1).std(1).tolist())
    with pytest.raises(ValueError, match="N, C, H, W"):
        channel_stats(torch.rand(4, 4))


# ---------------------------------------------------------------- missing or damaged data
@pytest.fixture
def empty_world(monkeypatch, tmp_path):
    """No cache, no mirror, and no Debian folder."""
    monkeypatch.setenv("AINOTES_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(sources, "DEFAULT_MIRRORS", ())
    monkeypatch.delenv("AINOTES_MIRROR", raising=False)
    monkeypatch.delenv("AINOTES_OFFLINE", raising=False)  # CI sets it; these tests choose their own
    return tmp_path


@pytest.mark.parametrize("loader", [mnist, fashion_mnist, cifar10])
def test_offline_without_mirror_names_the_variable(empty_world, monkeypatch, loader):
    monkeypatch.setenv("AINOTES_OFFLINE", "1")
    with pytest.raises(DataUnavailableError, match="AINOTES_MIRROR"):
        loader()


@pytest.mark.parametrize("loader", [mnist, fashion_mnist, cifar10])
def test_no_network_fails_fast_with_advice(empty_world, no_network, loader):
    start = time.perf_counter()
    with pytest.raises(DataUnavailableError, match="no network.*\n.*AINOTES_MIRROR"):
        loader()
    assert time.perf_counter() - start < 5


def test_a_hanging_network_is_cut_short(empty_world, monkeypatch):
    monkeypatch.setattr(sources, "_NETWORK_TIMEOUT_S", 0.2)
    monkeypatch.setattr(sources.socket, "getaddrinfo", lambda *a: time.sleep(30))
    start = time.perf_counter()
    with pytest.raises(DataUnavailableError, match="within"):
        fashion_mnist()
    assert time.perf_counter() - start < 5


def _mnist_mirror(root, source, damage=None):
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in digits._MNIST_GZ_SHA256:
        shutil.copy(source / f, raw / f)
    if damage:
        data = bytearray((raw / damage).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (raw / damage).write_bytes(bytes(data))
    return root


@pytest.fixture(scope="session")
def mnist_archives(cache_root):
    """Folder with the four real MNIST archives, as prepared in the test cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AINOTES_DATA", str(cache_root))
        mnist(train=False)
    return cache_root / "MNIST" / "raw"


def test_damaged_mnist_archive_gives_checksum_error_and_writes_nothing(mnist_archives, empty_world, monkeypatch):
    mirror = _mnist_mirror(empty_world / "mirror", mnist_archives, damage="t10k-labels-idx1-ubyte.gz")
    monkeypatch.setenv("AINOTES_MIRROR", str(mirror))
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte.gz is damaged.*sha256sum"):
        mnist()
    raw = empty_world / "cache" / "MNIST" / "raw"
    assert not raw.exists() or not any(p.name.startswith("t10k-labels") or p.suffix == ".part" for p in raw.iterdir())


def test_intact_mirror_copy_works(mnist_archives, empty_world, monkeypatch):
    mirror = _mnist_mirror(empty_world / "mirror", mnist_archives)
    monkeypatch.setenv("AINOTES_MIRROR", str(mirror))
    assert len(mnist(train=False)) == 10000


def test_fashion_archive_that_is_not_gzip(empty_world, monkeypatch):
    folder = empty_world / "mirror" / "fashion-mnist"
    folder.mkdir(parents=True)
    for f in digits._IDX_FILES:
        (folder / (f + ".gz")).write_bytes(b"not a gzip file")
    monkeypatch.setenv("AINOTES_MIRROR", str(empty_world / "mirror"))
    with pytest.raises(ChecksumError, match="not a readable gzip"):
        fashion_mnist()


def test_fashion_archive_with_wrong_content(empty_world, monkeypatch):
    folder = empty_world / "mirror" / "FashionMNIST" / "raw"
    folder.mkdir(parents=True)
    for f in digits._IDX_FILES:
        with gzip.open(folder / (f + ".gz"), "wb") as handle:
            handle.write(b"\x00" * 64)
    monkeypatch.setenv("AINOTES_MIRROR", str(empty_world / "mirror"))
    with pytest.raises(ChecksumError, match="damaged or incomplete"):
        fashion_mnist()
    assert not (empty_world / "cache" / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").exists()


def test_damaged_cifar_arrays(empty_world, monkeypatch):
    folder = empty_world / "mirror" / "cifar10"
    folder.mkdir(parents=True)
    images = np.zeros((2, 32, 32, 3), np.uint8)
    for name in ("train.npz", "test.npz"):
        np.savez(folder / name, images=images, labels=np.zeros(2, np.int64))
    monkeypatch.setenv("AINOTES_MIRROR", str(empty_world / "mirror"))
    with pytest.raises(ChecksumError, match="train.npz is damaged"):
        cifar10()
