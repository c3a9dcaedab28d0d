import copy

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset, IterableDataset, Subset, TensorDataset

from ainotes.data import as_tensors, channel_stats, unnormalize

CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


class Items(Dataset):
    """A dataset of the given items, with no `data` or `targets`: channel_stats must read it item by item."""

    def __init__(self, items):
        self.items = list(items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


class Arrays:
    """Torchvision-style: uint8 `data` (N, H, W, C) and `targets`, whose items would be PIL images."""

    def __init__(self, data):
        self.data, self.targets = data, [0] * len(data)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return Image.fromarray(self.data[i]), self.targets[i]


class Nothing(IterableDataset):
    def __iter__(self):
        return iter(())


def reference(x, unbiased=True):
    """Per-channel mean and std of a float batch [N, C, H, W] the obvious way, in float64."""
    values = x.double().transpose(0, 1).reshape(x.shape[1], -1)
    return values.mean(1).tolist(), values.std(1, correction=int(unbiased)).tolist()


# ---------------------------------------------------------------- every route gives the same numbers
def test_tensor_route_matches_torch_biased_and_unbiased():
    x = torch.rand(10, 2, 4, 5) * 3 + 100  # a large mean: the sums must not cancel
    for unbiased in (True, False):
        mean, std = channel_stats(x, unbiased=unbiased, batch_size=3)
        expected_mean, expected_std = reference(x, unbiased)
        assert np.allclose(mean, expected_mean, rtol=0, atol=1e-9) and np.allclose(std, expected_std, rtol=0, atol=1e-9)
    assert channel_stats(x, unbiased=False)[1] != channel_stats(x)[1]  # n versus n - 1


def test_uint8_routes_are_scaled_and_exact():
    pixels = torch.randint(0, 256, (7, 4, 5, 3), dtype=torch.uint8)
    expected = reference(pixels.permute(0, 3, 1, 2).double() / 255)
    for data in (pixels.permute(0, 3, 1, 2), Arrays(pixels.numpy()), Subset(Arrays(pixels.numpy()), range(7))):
        mean, std = channel_stats(data, batch_size=2)
        assert np.allclose(mean, expected[0], rtol=0, atol=1e-12) and np.allclose(std, expected[1], rtol=0, atol=1e-12)
    mean, _ = channel_stats(Subset(Arrays(pixels.numpy()), [2]))
    assert np.allclose(mean, reference(pixels[2:3].permute(0, 3, 1, 2).double() / 255)[0])


def test_dataset_and_dataloader_routes():
    x = torch.rand(9, 3, 4, 4)
    expected = reference(x)
    routes = [Items(zip(x, range(9))), Items(x), TensorDataset(x, torch.zeros(9)),
              DataLoader(TensorDataset(x, torch.zeros(9)), batch_size=4), DataLoader(x, batch_size=2)]  # fmt: skip
    for data in routes:
        mean, std = channel_stats(data, batch_size=4)
        assert np.allclose(mean, expected[0], atol=1e-7) and np.allclose(std, expected[1], atol=1e-7), data


def test_cifar10_statistics_by_every_route(cifar_train):
    from torchvision.transforms import ToTensor

    for data in (cifar_train, torch.as_tensor(cifar_train.data).permute(0, 3, 1, 2)):  # fast path, uint8 tensor
        mean, std = channel_stats(data)
        assert tuple(round(v, 4) for v in mean) == CIFAR_MEAN and tuple(round(v, 4) for v in std) == CIFAR_STD
    with_transform = copy.copy(cifar_train)  # as cifar10(transform=ToTensor()), without reading the files again
    with_transform.transform = ToTensor()
    assert with_transform[0][0].shape == (3, 32, 32)
    subset = Subset(with_transform, range(2000))  # has `data`: the fast path, transform not applied
    tensor = as_tensors(subset)[0]
    expected = channel_stats(tensor)
    assert not np.allclose(expected[0], CIFAR_MEAN, atol=1e-4)  # a subset: its own numbers, not the whole set's
    routes = [subset, DataLoader(subset, batch_size=500), Items(tensor), DataLoader(TensorDataset(tensor), 500)]
    for data in routes:
        mean, std = channel_stats(data)
        assert np.allclose(mean, expected[0], rtol=0, atol=1e-6) and np.allclose(std, expected[1], rtol=0, atol=1e-6)


# ---------------------------------------------------------------- clear errors
@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        (torch.rand(3, 32, 32), ValueError, r"single image \[C, H, W\].*image\.unsqueeze\(0\)"),
        (torch.rand(1, 28, 28), ValueError, r"single image"),
        (torch.rand(16, 28, 28), ValueError, r"grey images \[N, H, W\].*x\.unsqueeze\(1\)"),
        (torch.rand(8, 32, 32, 3), ValueError, r"channels-last.*numpy, PIL and matplotlib.*permute\(0, 3, 1, 2\)"),
        (torch.rand(4, 4), ValueError, r"shape \(4, 4\): expected a batch of images \[N, C, H, W\]"),
        (torch.zeros(0, 3, 8, 8), ValueError, r"empty"),
        (torch.ones(2, 3, 4, 4, dtype=torch.int64), TypeError, r"torch\.int64.*x\.float\(\) / 255"),
        (Items([]), ValueError, r"Items is empty"),
        (
            DataLoader(Items([torch.rand(1, 3, 4, 4), torch.rand(1, 1, 4, 4)]), batch_size=None),
            ValueError,
            r"has 1 channel\(s\), an earlier one 3",
        ),
        (Items([torch.rand(4, 4, 3)] * 2), ValueError, r"batch of the Items's items.*channels-last"),
        (DataLoader(Items([]), batch_size=2), ValueError, r"The DataLoader's dataset is empty"),
        (DataLoader(Nothing(), batch_size=2), ValueError, r"no pixels.*DataLoader is empty"),
        (DataLoader([("not", "images")], batch_size=1), TypeError, r"batch from the DataLoader is a tuple, not a"),
        ([torch.rand(3, 4, 4)], TypeError, r"cannot read a list\. Pass a Dataset, a DataLoader or a tensor"),
        (np.zeros((2, 3, 4, 4)), TypeError, r"ndarray.*torch\.from_numpy"),
        (torch.rand(1, 3, 1, 1), ValueError, r"one pixel per channel.*unbiased=False"),
    ],
)
def test_channel_stats_errors(data, error, match):
    with pytest.raises(error, match=match):
        channel_stats(data)


def test_pil_items_ask_for_to_tensor():
    image = Image.fromarray(np.zeros((4, 4, 3), np.uint8))
    for data in (Items([(image, 0)]), DataLoader(Items([(image, 0)]))):
        with pytest.raises(TypeError, match=r"PIL images.*transform=ToTensor\(\)"):
            channel_stats(data)
    # a collate_fn of one's own may turn PIL images into tensors: no complaint then
    to_tensor = lambda items: torch.stack([torch.tensor(np.asarray(i)).permute(2, 0, 1) for i, _ in items])  # noqa: E731
    assert channel_stats(DataLoader(Items([(image, 0)] * 2), collate_fn=to_tensor)) == ((0.0,) * 3, (0.0,) * 3)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"batch_size": 0}, ValueError, r"`batch_size` must be a positive int, got 0"),
        ({"batch_size": 2.5}, TypeError, r"`batch_size` must be a positive int, got 2\.5"),
        ({"batch_size": True}, TypeError, r"`batch_size` must be a positive int"),
        ({"unbiased": "yes"}, TypeError, r"`unbiased` must be True or False, got 'yes'"),
    ],
)
def test_channel_stats_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        channel_stats(torch.rand(2, 3, 4, 4), **kwargs)


# ---------------------------------------------------------------- unnormalize
def test_unnormalize_undoes_normalize_without_touching_its_input():
    from torchvision.transforms import Normalize

    mean, std = (0.49, 0.48, 0.45), (0.25, 0.24, 0.26)
    x = torch.rand(5, 3, 8, 8)
    normalised = Normalize(mean, std)(x)
    before = normalised.clone()
    restored = unnormalize(normalised, mean, std)
    assert torch.allclose(restored, x, atol=1e-6) and not torch.allclose(normalised, x, atol=0.1)
    assert torch.equal(normalised, before) and restored.data_ptr() != normalised.data_ptr()
    assert torch.allclose(unnormalize(normalised[0], torch.tensor(mean), list(std)), x[0], atol=1e-6)
    assert torch.allclose(unnormalize(torch.zeros(1, 2, 2), [0.5], [2.0]), torch.full((1, 2, 2), 0.5))


@pytest.mark.parametrize(
    ("x", "mean", "std", "error", "match"),
    [
        ([[0.0]], (0.5,), (0.5,), TypeError, r"`x` must be a tensor of normalised images, got a list"),
        (torch.rand(8, 8), (0.5,), (0.5,), ValueError, r"`x` has shape \(8, 8\): give one image \[C, H, W\]"),
        (torch.ones(3, 2, 2, dtype=torch.uint8), (0.5,) * 3, (0.5,) * 3, TypeError, r"torch\.uint8"),
        (torch.rand(3, 4, 4), (0.5,), (0.5,) * 3, ValueError, r"`mean` has 1 value,.*3 channels"),
        (torch.rand(2, 3, 4, 4), (0.5,) * 3, (0.5, 0.5), ValueError, r"`std` has 2 values"),
        (torch.rand(3, 4, 4), (0.5,) * 3, (0.5, 0.0, 0.5), ValueError, r"`std` is \(0\.5, 0\.0, 0\.5\).*positive"),
        (torch.rand(3, 4, 4), (0.5,) * 3, (0.5, -1.0, 0.5), ValueError, r"`std` is .*positive"),
        (torch.rand(3, 4, 4), "abc", (0.5,) * 3, TypeError, r"`mean` must be 3 numbers"),
    ],
)
def test_unnormalize_errors(x, mean, std, error, match):
    with pytest.raises(error, match=match):
        unnormalize(x, mean, std)
