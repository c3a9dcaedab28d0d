"""Bad input to ainotes.data and ainotes.augment: a clear TypeError/ValueError naming the argument, before any
deep call; and damaged cache files that are rebuilt, or named with what to delete. Data from the offline mirror
(AINOTES_MIRROR), as test_data.py."""

import os

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset
from torchvision import transforms

from ainotes.augment import crop_and_flip, random_crop, random_flip
from ainotes.data import (
    ChecksumError,
    CIFAR10Arrays,
    ClassSubset,
    DataUnavailableError,
    as_tensors,
    channel_stats,
    cifar10,
    class_subset,
    data_root,
    fashion_mnist,
    mirror_folders,
    mnist,
    sources,
    unnormalize,
)

LOADERS = {"mnist": mnist, "fashion_mnist": fashion_mnist, "cifar10": cifar10}


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a folder")
    return path


@pytest.fixture
def no_data_anywhere(monkeypatch, tmp_path):
    """An empty cache, no mirror, no downloads: every loader must fail before reading anything."""
    monkeypatch.setenv("AINOTES_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(sources, "DEFAULT_MIRRORS", ())
    monkeypatch.delenv("AINOTES_MIRROR", raising=False)
    monkeypatch.setenv("AINOTES_OFFLINE", "1")
    return tmp_path / "cache"


# ---------------------------------------------------------------- the loaders' arguments
@pytest.mark.parametrize("train", ["False", "train", 0, 1, None], ids=["str-False", "str-train", "0", "1", "None"])
@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_train_must_be_a_bool(no_data_anywhere, loader, train):
    with pytest.raises(TypeError, match=rf"train must be True or False, got {train!r}"):
        LOADERS[loader](train=train)


BAD_TRANSFORMS = [
    (transforms.ToTensor, r"transform=ToTensor is a class, not a transform: add \(\) .*transform=ToTensor\(\)"),
    (transforms.Normalize, r"transform=Normalize is a class.*with its arguments, e\.g\. transform=Normalize\(\.\.\.\)"),
    ("ToTensor", r"transform must be callable.*'ToTensor' \(str\)"),
    (
        [transforms.ToTensor()],
        r"transform is a list of 1 item: .*transforms\.Compose\(\[\.\.\.\]\), e\.g\. transform=Compose",
    ),
    (3, r"transform must be callable.*3 \(int\)"),
]
BAD_TARGET_TRANSFORMS = [
    (transforms.ToTensor, r"target_transform=ToTensor is a class.*e\.g\. target_transform=lambda label: "),
    (transforms.Normalize, r"target_transform=Normalize is a class.*e\.g\. target_transform=lambda label: "),
    ("ToTensor", r"target_transform must be callable.*'ToTensor' \(str\)"),
    ([transforms.ToTensor()], r"target_transform is a list of 1 item: .*target_transform=Compose\(\[lambda label: "),
    (3, r"target_transform must be callable.*3 \(int\)"),
]


@pytest.mark.parametrize(("value", "match"), BAD_TRANSFORMS, ids=["class", "class-with-args", "str", "list", "int"])
@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_transform_must_be_a_transform(no_data_anywhere, loader, value, match):
    with pytest.raises(TypeError, match=match):
        LOADERS[loader](transform=value)


@pytest.mark.parametrize(
    ("value", "match"), BAD_TARGET_TRANSFORMS, ids=["class", "class-with-args", "str", "list", "int"]
)
def test_target_transform_must_be_a_transform(no_data_anywhere, value, match):
    with pytest.raises(TypeError, match=match):
        mnist(target_transform=value)


def test_builtin_types_stay_good_target_transforms(fresh_cache):
    assert mnist(train=False, target_transform=str)[0][1] == "7"  # str and int are classes, and callables


@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_root_that_is_a_file(no_data_anywhere, loader, a_file):
    with pytest.raises(ValueError, match=r"root='.*notes\.txt' is a file, not a folder"):
        LOADERS[loader](root=a_file)


@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_root_inside_a_file(no_data_anywhere, loader, a_file):
    with pytest.raises(ValueError, match=r"root='.*notes\.txt/data' cannot be a folder: .*notes\.txt is a file"):
        LOADERS[loader](root=a_file / "data")


@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_root_of_another_type(no_data_anywhere, loader):
    with pytest.raises(TypeError, match=r"root must be a folder path \(a str or a pathlib\.Path\), got 3 \(int\)"):
        LOADERS[loader](root=3)


def test_data_root_refuses_a_file(monkeypatch, a_file):
    monkeypatch.setenv("AINOTES_DATA", str(a_file))
    with pytest.raises(ValueError, match=r"AINOTES_DATA='.*notes\.txt' is a file, not a folder"):
        data_root()


@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_cache_folder_in_the_environment_that_is_a_file(no_data_anywhere, monkeypatch, loader, a_file):
    monkeypatch.setenv("AINOTES_DATA", str(a_file))
    with pytest.raises(ValueError, match=r"AINOTES_DATA='.*notes\.txt' is a file"):
        LOADERS[loader]()
    monkeypatch.setenv("AINOTES_DATA", str(a_file / "sub"))
    with pytest.raises(ValueError, match=r"AINOTES_DATA='.*notes\.txt/sub' cannot be a folder"):
        LOADERS[loader]()


def test_cache_folder_that_cannot_be_written(no_data_anywhere, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sources.Path, "mkdir", refuse)
    with pytest.raises(DataUnavailableError, match=r"cache folder .*cannot be written \(Permission denied\).*AINOTES"):
        mnist()


def test_mirror_that_is_a_file(monkeypatch, a_file):
    monkeypatch.setenv("AINOTES_MIRROR", str(a_file))
    with pytest.raises(DataUnavailableError, match=r"AINOTES_MIRROR names '.*notes\.txt', which is a file"):
        mirror_folders()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"folder": "FILE"}, ValueError, r"folder='.*notes\.txt' is a file, not a folder"),
        ({"folder": 3}, TypeError, r"folder must be a folder path"),
        ({"folder": "TMP", "train": "False"}, TypeError, r"train must be True or False, got 'False'"),
        ({"folder": "TMP", "transform": transforms.ToTensor}, TypeError, r"transform=ToTensor is a class"),
    ],
    ids=["file", "int", "train-str", "transform-class"],
)
def test_cifar10_arrays_arguments(tmp_path, a_file, kwargs, error, match):
    kwargs = {k: {"FILE": a_file, "TMP": tmp_path}.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(error, match=match):
        CIFAR10Arrays(**kwargs)


# ---------------------------------------------------------------- damaged cache files
def test_garbage_idx_file_in_the_cache_is_rebuilt(monkeypatch, tmp_path):
    monkeypatch.setenv("AINOTES_DATA", str(tmp_path))
    mnist(train=False)
    target = tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    good = target.read_bytes()
    target.write_bytes(bytes(range(256)) * (len(good) // 256) + b"\0" * (len(good) % 256))  # same size, garbage
    test = mnist(train=False)
    assert test.targets[:3].tolist() == [7, 2, 1] and target.read_bytes() == good


def test_damaged_idx_file_without_a_mirror_is_removed_and_named(no_data_anywhere):
    target = no_data_anywhere / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 100)  # a truncated file, as a full disk leaves
    with pytest.raises(DataUnavailableError, match=r"(?s)MNIST is not available.*AINOTES_MIRROR"):
        mnist(train=False)
    assert not target.exists()  # the damaged file is gone: it cannot be read by mistake later


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_damaged_cifar_download_folder_says_what_to_delete(no_data_anywhere, damage):
    batches = no_data_anywhere / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    for name in ["data_batch_1", "test_batch", "batches.meta"]:
        (batches / name).write_bytes(b"\x80\x04" if damage == "truncated" else os.urandom(64))
    with pytest.raises(ChecksumError, match=r"cifar-10-batches-py is incomplete or damaged.*delete this folder"):
        cifar10()


# ---------------------------------------------------------------- channel_stats, unnormalize
class Pictures(Dataset):
    """Items (PIL image, label): a dataset made without transform=ToTensor()."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        from PIL import Image

        return Image.fromarray(np.zeros((4, 4, 3), np.uint8)), 0


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        (torch.full((2, 3, 4, 4), float("nan")), ValueError, r"NaN or infinite values.*torch\.isfinite"),
        (torch.tensor([[[[0.0, float("inf")]]]] * 2), ValueError, r"NaN or infinite.*torch\.isfinite\(x\)\.all\(\)"),
        ([torch.rand(3, 4, 4), torch.rand(3, 4, 4)], TypeError, r"cannot read a list.*torch\.stack\(images\)"),
        (Subset(Pictures(), []), ValueError, r"Subset is empty"),
        (Pictures(), TypeError, r"PIL images.*transform=ToTensor\(\)"),
    ],
    ids=["nan", "inf", "list-of-images", "empty-subset", "pil-items"],
)
def test_channel_stats_bad_data(data, error, match):
    with pytest.raises(error, match=match):
        channel_stats(data)


def test_channel_stats_of_uint8_pixels_is_scaled():
    mean, std = channel_stats(torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1))
    assert mean == (0.5,) and abs(std[0] - 0.7071) < 1e-4


@pytest.mark.parametrize(
    ("x", "mean", "std", "match"),
    [
        (torch.rand(3, 4, 4), (float("nan"),) * 3, (0.5,) * 3, r"`mean` is \(nan, nan, nan\): every value must be a f"),
        (torch.rand(3, 4, 4), (0.5,) * 3, (0.5, float("inf"), 0.5), r"`std` is \(0\.5, inf, 0\.5\).*finite"),
        (torch.rand(2, 8, 8, 3), (0.5,) * 3, (0.5,) * 3, r"`x` has shape \(2, 8, 8, 3\): it looks channels-last"),
        (torch.rand(8, 8, 1), (0.5,), (0.5,), r"`x` has shape \(8, 8, 1\): it looks channels-last"),
    ],
    ids=["mean-nan", "std-inf", "channels-last-batch", "channels-last-image"],
)
def test_unnormalize_bad_values(x, mean, std, match):
    with pytest.raises(ValueError, match=match):
        unnormalize(x, mean, std)


# ---------------------------------------------------------------- as_tensors
class Pixels:
    """A torchvision-style dataset: uint8 `data` (N, H, W) and `targets`."""

    def __init__(self, n=3, targets=None, dtype=torch.uint8):
        self.data = torch.zeros(n, 4, 4, dtype=dtype)
        self.targets = list(range(n)) if targets is None else targets


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        (Pixels(), {"mean": (0.5,), "std": (0.0,)}, ValueError, r"`std` is \(0\.0,\).*positive"),
        (Pixels(), {"mean": (0.5,), "std": (-0.3,)}, ValueError, r"`std` is \(-0\.3,\).*positive"),
        (Pixels(), {"mean": (float("nan"),), "std": (0.3,)}, ValueError, r"`mean` is \(nan,\).*finite"),
        (Pixels(), {"mean": "0.5", "std": "0.3"}, TypeError, r"`mean` must be 1 number, one per channel"),
        (Pixels(), {"mean": (0.5,) * 3, "std": (0.3,) * 3}, ValueError, r"`mean` has 3 values.*1 channel: give 1 value,"),
        (Pixels(0, targets=[]), {}, ValueError, r"The Pixels dataset is empty: there are no images"),
        (Subset(Pixels(), []), {}, ValueError, r"Subset is empty"),
        (Subset(Pixels(), [0, 7]), {}, ValueError, r"Subset's indices run from 0 to 7, but its Pixels has 3 images"),
        (Pixels(targets=[0.5, 1.0, 2.0]), {}, TypeError, r"The Pixels dataset's `targets` must be one whole-number label.*float"),
        (Pixels(targets=[0, 1]), {}, ValueError, r"3 images in `data` but 2 labels in `targets`"),
        (Pixels(dtype=torch.float32), {}, TypeError, r"uint8 pixels in `data`, got torch\.float32.*DataLoader"),
        (DataLoader(TensorDataset(torch.zeros(2))), {}, TypeError, r"DataLoader has no `data`.*loader\.dataset"),
        (TensorDataset(torch.zeros(2)), {}, TypeError, r"TensorDataset has no `data`.*dataset\.tensors"),
    ],
    ids=["std-0", "std-negative", "mean-nan", "mean-str", "mean-3-for-grey", "empty", "empty-subset",
         "subset-out-of-range", "float-targets", "fewer-targets", "float-data", "dataloader", "tensordataset"],
)  # fmt: skip
def test_as_tensors_bad_input(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        as_tensors(data, **kwargs)


# ---------------------------------------------------------------- class_subset, ClassSubset
CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


class Tiny:
    classes = CIFAR_NAMES
    data = np.zeros((4, 2, 2, 3), np.uint8)
    targets = [0, 8, 3, 8]

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return self.data[i], self.targets[i]


def test_the_aeroplane_message_is_unchanged():
    with pytest.raises(ValueError) as error:
        class_subset(Tiny(), ["aeroplane", "ship"])
    assert str(error.value) == (
        "'aeroplane' is not a class of this data set; did you mean 'airplane'? Its classes are: 'airplane', "
        "'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'."
    )


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((Tiny(), [0], [0], "cat"), TypeError, r"classes must be a list of class names \(str\).*got 'cat'"),
        ((Tiny(), [0.5], [0], ["cat"]), TypeError, r"indices must be a list of whole numbers; got float64"),
        ((Tiny(), 0, [0], ["cat"]), TypeError, r"indices must be a list of whole numbers, got 0 \(int\)"),
        ((Tiny(), [0], ["0"], ["cat"]), TypeError, r"targets must be a list of whole numbers"),
        ((Tiny(), [9], [0], ["cat"]), ValueError, r"indices run from 9 to 9, but the Tiny has 4 items"),
        ((Tiny(), [-1], [0], ["cat"]), ValueError, r"indices run from -1 to -1"),
        ((Tiny(), [0, 1], [0, 2], ["cat", "ship"]), ValueError, r"targets run from 0 to 2, but there are 2 classes"),
        ((None, [0], [0], ["cat"]), TypeError, r"dataset must be a dataset whose items are \(image, label\)"),
        ((Tiny, [0], [0], ["cat"]), TypeError, r"dataset must be a dataset.*class_subset"),
    ],
    ids=["classes-str", "indices-float", "indices-int", "targets-str", "index-too-large", "index-negative",
         "target-too-large", "dataset-none", "dataset-class"],
)  # fmt: skip
def test_class_subset_made_by_hand(args, error, match):
    with pytest.raises(error, match=match):
        ClassSubset(*args)


# ---------------------------------------------------------------- augment
AUGMENTS = {"random_flip": random_flip, "random_crop": random_crop, "crop_and_flip": crop_and_flip}


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (torch.rand(2, 32, 32, 3), r"got x of shape \[2, 32, 32, 3\]: it looks channels-last.*permute\(0, 3, 1, 2\)"),
        (torch.rand(0, 3, 32, 32), r"an empty batch x of shape \[0, 3, 32, 32\]: give at least one image"),
        (torch.rand(3, 32, 32), r"expects x to be a batch of images \[N, C, H, W\], got \[3, 32, 32\].*unsqueeze"),
        (torch.rand(2, 1024), r"expects x to be a batch.*got \[2, 1024\]; reshape it, e\.g\. x\.view\(n, 1, 32, 32\)"),
        (
            torch.rand(2, 1000),
            r"expects x to be a batch.*got \[2, 1000\]; reshape it to \(n, channels, height, width\)",
        ),
        (np.zeros((2, 3, 8, 8), np.float32), r"got a numpy array of shape \[2, 3, 8, 8\].*torch\.from_numpy\(x\)"),
        ([[0.0]], r"expects x to be a batch.*got list; give a tensor"),
    ],
    ids=["channels-last", "empty", "3-d", "flat", "flat-not-square", "numpy", "list"],
)
@pytest.mark.parametrize("augment", AUGMENTS, ids=list(AUGMENTS))
def test_augment_bad_batches(augment, x, match):
    with pytest.raises(ValueError, match=match):
        AUGMENTS[augment](x)


@pytest.mark.parametrize(
    ("padding", "error", "match"),
    [
        (32, ValueError, r"padding=32 is too large for images of 32×32.*at most 31"),
        (4.0, TypeError, r"padding must be a whole number, got 4\.0"),
        (0.1, TypeError, r"padding must be a whole number, got 0\.1"),
        ("4", TypeError, r"padding must be a whole number, got '4'"),
        (True, TypeError, r"padding must be a whole number, got True"),
        (-1, ValueError, r"padding=-1 is too small: give at least 0"),
    ],
    ids=["larger-than-image", "float", "fraction", "str", "bool", "negative"],
)
def test_random_crop_bad_padding(padding, error, match):
    with pytest.raises(error, match=match):
        random_crop(torch.rand(2, 3, 32, 32), padding=padding)


def test_uint8_batches_are_augmented_as_pixels():
    """uint8 pixels are fine: flips and crops move them, as torchvision's RandomCrop pads them with 0."""
    x = torch.randint(0, 256, (4, 3, 8, 8), dtype=torch.uint8)
    for augment in AUGMENTS.values():
        out = augment(x)
        assert out.dtype == torch.uint8 and out.shape == x.shape
    assert torch.equal(random_crop(x, padding=0), x)


@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_arguments_are_checked_before_the_cache_is_touched(no_data_anywhere, loader):
    with pytest.raises(TypeError, match="transform=ToTensor is a class"):
        LOADERS[loader](transform=transforms.ToTensor)
    assert not no_data_anywhere.exists()


# ---------------------------------------------------------------- round 2: cases found by an independent probe
class ColourPixels:
    """A CIFAR-style dataset: uint8 `data` (N, H, W, 3) and `targets`."""

    data = torch.zeros(2, 4, 4, 3, dtype=torch.uint8)
    targets = [0, 1]


MEAN_255, STD_255 = (125.3, 123.0, 113.9), (63.0, 62.1, 66.7)  # statistics of 0-255 pixels


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: as_tensors(ColourPixels(), MEAN_255, STD_255), r"`mean` is \(125\.3, 123\.0, 113\.9\).*divide.*255"),
        (lambda: as_tensors(ColourPixels(), (0.49, 0.48, 0.45), STD_255), r"`std` is \(63\.0, 62\.1, 66\.7\).*255"),
        (lambda: unnormalize(torch.zeros(3, 2, 2), MEAN_255, STD_255), r"`mean` is \(125\.3.*from 0 to 1.*255"),
        (lambda: unnormalize(torch.zeros(2, 3, 2, 2), MEAN_255, (0.25,) * 3), r"`mean` is.*at most 1"),
    ],
    ids=["as_tensors 0-255 stats", "as_tensors 0-255 std", "unnormalize 0-255 stats", "unnormalize 0-255 mean"],
)
def test_statistics_of_0_255_pixels_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("value", ["false", "No", "off", "0", " "], ids=["false", "No", "off", "0", "blank"])
def test_offline_variable_that_says_online_allows_downloads(no_data_anywhere, monkeypatch, value):
    monkeypatch.setenv("AINOTES_OFFLINE", value)

    def no_network(host, timeout):
        raise OSError("no network in the tests")

    monkeypatch.setattr(sources, "_resolve", no_network)
    with pytest.raises(DataUnavailableError, match="there is no network") as error:
        mnist()
    assert "forbids" not in str(error.value)


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"], ids=["1", "true", "YES", "on"])
def test_offline_variable_that_says_offline_forbids_downloads(no_data_anywhere, monkeypatch, value):
    monkeypatch.setenv("AINOTES_OFFLINE", value)
    with pytest.raises(DataUnavailableError, match="AINOTES_OFFLINE forbids downloads"):
        mnist()


def test_offline_variable_with_an_unknown_value(no_data_anywhere, monkeypatch):
    monkeypatch.setenv("AINOTES_OFFLINE", "maybe")
    with pytest.raises(ValueError, match=r"AINOTES_OFFLINE='maybe' is not understood.*1 \(true, yes, on\).*0 \(false"):
        mnist()


@pytest.mark.parametrize(
    ("augment", "x", "match"),
    [
        (crop_and_flip, torch.rand(8, 28, 28), r"^crop_and_flip expects.*grey images \[N, H, W\].*x\.unsqueeze\(1\)"),
        (random_flip, torch.rand(8, 28, 28), r"^random_flip expects.*\[8, 28, 28\].*x\.unsqueeze\(1\)"),
        (
            crop_and_flip,
            torch.rand(3, 28, 28),
            r"^crop_and_flip expects.*single image.*x\.unsqueeze\(0\).*unsqueeze\(1\)",
        ),
    ],
    ids=["crop_and_flip grey batch", "random_flip grey batch", "crop_and_flip one image"],
)
def test_augment_names_itself_and_the_right_unsqueeze(augment, x, match):
    with pytest.raises(ValueError, match=match):
        augment(x)
