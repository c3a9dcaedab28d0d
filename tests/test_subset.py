import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Subset, TensorDataset, random_split

from ainotes.data import ClassSubset, as_tensors, channel_stats, class_subset

NAMES = ["airplane", "automobile", "bird", "cat", "ship"]


class Fake:
    """Torchvision-style: uint8 `data` (N, H, W, C), list `targets`, `classes`, and a `transform` on items."""

    classes = NAMES

    def __init__(self, targets, transform=None):
        self.targets = list(targets)
        n = len(self.targets)
        self.data = (np.arange(n * 2 * 2 * 3) % 251).astype(np.uint8).reshape(n, 2, 2, 3)
        self.transform = transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        image = torch.as_tensor(self.data[i]).permute(2, 0, 1).float() / 255
        return (image if self.transform is None else self.transform(image)), self.targets[i]


TARGETS = [4, 0, 2, 1, 4, 3, 0, 1, 2, 4, 0, 1]  # airplane x3, automobile x3, ship x3, and others


@pytest.fixture
def fake():
    return Fake(TARGETS)


def positions(targets, wanted):
    return [i for i, t in enumerate(targets) if t in wanted]


# ---------------------------------------------------------------- datasets
def test_names_remap_in_the_order_given_and_keep_the_data_order(fake):
    subset = class_subset(fake, ["airplane", "automobile", "ship"])
    assert isinstance(subset, ClassSubset) and len(subset) == 9
    assert subset.classes == ["airplane", "automobile", "ship"]
    assert subset.indices == positions(TARGETS, {0, 1, 4})
    assert subset.targets == [{0: 0, 1: 1, 4: 2}[TARGETS[i]] for i in subset.indices]
    assert subset.dataset is fake
    for i, root in enumerate(subset.indices):
        image, label = subset[i]
        assert torch.equal(image, fake[root][0]) and label == subset.targets[i]
        assert subset.classes[label] == NAMES[TARGETS[root]]
    assert subset[-1][1] == subset.targets[-1]


def test_indices_give_the_same_subset_and_the_order_sets_the_labels(fake):
    by_index = class_subset(fake, [4, 0])
    by_name = class_subset(fake, ("ship", "airplane"))
    assert by_index.indices == by_name.indices and by_index.targets == by_name.targets
    assert by_index.classes == ["ship", "airplane"] and by_index.targets[0] == 0  # item 0 is a ship
    assert class_subset(fake, np.array([4, 0])).targets == by_index.targets
    assert class_subset(fake, torch.tensor([4, 0])).targets == by_index.targets


def test_items_keep_the_dataset_transform():
    data = Fake(TARGETS, transform=lambda x: x * 0 + 7)
    image, label = class_subset(data, ["cat"])[0]
    assert torch.equal(image, torch.full((3, 2, 2), 7.0)) and label == 0


def test_data_rows_feed_the_fast_paths(fake):
    subset = class_subset(fake, ["ship", "airplane", "automobile"])
    assert np.array_equal(subset.data, fake.data[subset.indices])
    x, y = as_tensors(subset)
    assert y.tolist() == subset.targets  # the new labels, not the root's
    assert torch.equal(x, as_tensors(fake)[0][subset.indices])
    loader = DataLoader(subset, batch_size=4)
    assert torch.equal(torch.cat([b for b, _ in loader]), x)
    assert torch.equal(torch.cat([t for _, t in loader]), y)
    mean, std = channel_stats(subset)
    expected = x.transpose(0, 1).reshape(3, -1).double()
    assert np.allclose(mean, expected.mean(1)) and np.allclose(std, expected.std(1))
    # a Subset of the result: as_tensors follows it down to the ClassSubset's data and new labels
    xs, ys = as_tensors(Subset(subset, [2, 0]))
    assert torch.equal(xs, x[[2, 0]]) and ys.tolist() == [subset.targets[2], subset.targets[0]]


def test_tensor_data_rows_as_in_mnist():
    class Grey(Fake):
        def __init__(self, targets):
            super().__init__(targets)
            self.data = torch.arange(len(targets) * 4, dtype=torch.uint8).view(-1, 2, 2)
            self.targets = torch.tensor(targets)

    data = Grey(TARGETS)
    subset = class_subset(data, [1, 2])
    assert torch.equal(subset.data, data.data[positions(TARGETS, {1, 2})])
    assert as_tensors(subset)[1].tolist() == subset.targets == [1, 0, 0, 1, 0]


def test_no_data_array_means_no_fast_path():
    class Folder(Fake):  # as ImageFolder: targets and classes, images read from files
        def __init__(self, targets):
            super().__init__(targets)
            del self.data

        def __getitem__(self, i):
            return torch.zeros(3, 2, 2), self.targets[i]

    subset = class_subset(Folder(TARGETS), ["ship"])
    assert len(subset) == 3 and not hasattr(subset, "data")
    with pytest.raises(AttributeError, match="has no `data` array"):
        _ = subset.data
    with pytest.raises(TypeError, match="no `data` and `targets`"):
        as_tensors(subset)


def test_subsets_from_random_split_and_nested(fake):
    part, rest = random_split(fake, [8, 4], generator=torch.Generator().manual_seed(0))
    subset = class_subset(part, ["airplane", "ship"])
    inside = [part.indices[i] for i in range(8) if TARGETS[part.indices[i]] in (0, 4)]
    assert subset.indices == inside and subset.dataset is fake  # positions in the root, in the Subset's order
    assert subset.targets == [{0: 0, 4: 1}[TARGETS[i]] for i in inside]
    nested = Subset(Subset(fake, [11, 10, 9, 8, 7, 6, 5, 4]), [1, 2, 5])  # -> root 10, 9, 6
    again = class_subset(nested, [0, 4])
    assert again.indices == [10, 9, 6] and again.targets == [0, 1, 0]
    assert class_subset(Subset(fake, torch.tensor([-1, 0])), ["automobile", "ship"]).indices == [11, 0]


def test_a_subset_of_a_class_subset_indexes_the_root(fake):
    three = class_subset(fake, ["airplane", "automobile", "ship"])
    two = class_subset(three, ["ship", "airplane"])
    assert two.dataset is fake and two.classes == ["ship", "airplane"]
    assert two.indices == positions(TARGETS, {0, 4}) and two.targets == [{4: 0, 0: 1}[TARGETS[i]] for i in two.indices]
    assert class_subset(three, [2]).indices == positions(TARGETS, {4})


def test_a_dataset_without_classes_takes_class_names():
    class Plain(Fake):
        classes = None

    data = Plain(TARGETS)
    assert class_subset(data, [4], class_names=NAMES).classes == ["ship"]
    assert class_subset(data, ["ship"], class_names=NAMES).indices == positions(TARGETS, {4})
    with pytest.raises(TypeError, match=r"has `targets` but no `classes`.*class_names="):
        class_subset(data, [4])


# ---------------------------------------------------------------- tensors
def test_tensor_pair_with_indices_and_names():
    x = torch.arange(12.0).view(12, 1)
    y = torch.tensor(TARGETS)
    xs, ys = class_subset((x, y), [4, 0, 1])
    keep = positions(TARGETS, {0, 1, 4})
    assert xs.flatten().tolist() == [float(i) for i in keep]
    assert ys.tolist() == [{4: 0, 0: 1, 1: 2}[TARGETS[i]] for i in keep] and ys.dtype == y.dtype
    xn, yn = class_subset([x, y], ["ship", "airplane", "automobile"], class_names=NAMES)
    assert torch.equal(xn, xs) and torch.equal(yn, ys)
    _, y8 = class_subset((x, y.to(torch.uint8)), [3])
    assert y8.dtype == torch.uint8 and y8.tolist() == [0]


def test_tensor_pair_matches_the_dataset_route(fake):
    x, y = as_tensors(fake)
    subset = class_subset(fake, ["automobile", "bird"])
    xs, ys = class_subset((x, y), ["automobile", "bird"], class_names=fake.classes)
    assert torch.equal(xs, as_tensors(subset)[0]) and ys.tolist() == subset.targets


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("classes", "error", "match"),
    [
        (["aeroplane"], ValueError, r"'aeroplane' is not a class of this data set; did you mean 'airplane'\? "
                                    r"Its classes are: 'airplane', 'automobile', 'bird', 'cat', 'ship'\."),
        (["Ship"], ValueError, r"did you mean 'ship'\?"),
        (["zebra"], ValueError, r"'zebra' is not a class of this data set\. Its classes are: 'airplane'"),
        ([5], ValueError, r"Class index 5 is out of range: this data set has indices 0 to 4"),
        ([-1], ValueError, r"Class index -1 is out of range"),
        (["ship", "cat", "ship"], ValueError, r"classes gives 'ship' more than once"),
        ([0, 0], ValueError, r"classes gives 0 more than once"),
        ([], ValueError, r"classes is empty: name at least one class"),
        ("ship", TypeError, r"not a single string: pass \['ship'\]"),
        (3, TypeError, r"not a single number: pass \[3\]"),
        ({"ship", "cat"}, TypeError, r"not a set: a set has no order.*\['cat', 'ship'\]"),
        (["ship", 0], TypeError, r"mixes names and indices"),
        ([1.0], TypeError, r"holds 1\.0, a float: give class names \(str\) or class indices \(int\)"),
        ([True], TypeError, r"holds True, a bool"),
        (None, TypeError, r"must be a list of class names or indices.*got None"),
    ],
)  # fmt: skip
def test_bad_classes(fake, classes, error, match):
    with pytest.raises(error, match=match):
        class_subset(fake, classes)


def test_a_class_without_images(fake):
    with pytest.raises(ValueError, match=r"None of the classes 'cat' has any images in this data \(4 images"):
        class_subset(Subset(fake, [0, 1, 2, 3]), ["cat"])  # labels 4, 0, 2, 1: no cat
    with pytest.raises(ValueError, match=r"Class 'cat' has no images in this data.*every chosen class needs images"):
        class_subset(Subset(fake, [0, 1, 2, 3]), ["ship", "cat"])
    with pytest.raises(ValueError, match=r"None of the classes 7 has any images .*labels 0 to 4"):
        class_subset((torch.zeros(12), torch.tensor(TARGETS)), [7])
    with pytest.raises(ValueError, match=r"\(no images\)"):
        class_subset((torch.zeros(0), torch.zeros(0, dtype=torch.long)), [0])


def test_bad_tensor_pairs():
    x, y = torch.zeros(12, 2), torch.tensor(TARGETS)
    with pytest.raises(ValueError, match=r"Class names need the list of all class names.*class_names="):
        class_subset((x, y), ["ship"])
    with pytest.raises(TypeError, match=r"labels must be a 1-D tensor of integer class labels; got torch\.float32"):
        class_subset((x, y.float()), [0])
    with pytest.raises(TypeError, match=r"1-D tensor.*shape \(12, 1\)"):
        class_subset((x, y.view(12, 1)), [0])
    with pytest.raises(ValueError, match=r"11 images but 12 labels: give one label per image"):
        class_subset((x[:11], y), [0])
    with pytest.raises(ValueError, match=r"labels run up to 4, but class_names has 3 names"):
        class_subset((x, y), ["airplane"], class_names=NAMES[:3])
    with pytest.raises(TypeError, match=r"class_names must be a list of class names \(str\)"):
        class_subset((x, y), ["ship"], class_names="airplane automobile")
    with pytest.raises(ValueError, match=r"Class index 5 is out of range: this data set has indices 0 to 4"):
        class_subset((x, y), [5], class_names=NAMES)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([1, 2, 3], r"takes a torchvision-style dataset .*or a pair \(images, labels\) of tensors; got a list\.$"),
        (TensorDataset(torch.zeros(2), torch.zeros(2)), r"got a TensorDataset: pass its two tensors, data\.tensors"),
        (DataLoader(TensorDataset(torch.zeros(2))), r"got a DataLoader: pass its dataset, loader\.dataset"),
        ((np.zeros(2), np.zeros(2)), r"got a tuple: turn numpy arrays into tensors with torch\.from_numpy"),
        (Subset([1, 2], [0]), r"got a list without `targets`"),
    ],
)  # fmt: skip
def test_data_of_another_kind(data, match):
    with pytest.raises(TypeError, match=match):
        class_subset(data, [0])


def test_class_names_for_a_dataset_must_agree(fake):
    assert class_subset(fake, ["ship"], class_names=list(NAMES)).classes == ["ship"]
    with pytest.raises(ValueError, match=r"class_names= differs from the Fake's own classes"):
        class_subset(fake, ["ship"], class_names=["a", "b"])


def test_targets_must_be_integer_labels():
    data = Fake(TARGETS)
    data.targets = [float(t) for t in TARGETS]
    with pytest.raises(TypeError, match=r"Fake's `targets` must be one integer label per image; got float64"):
        class_subset(data, ["ship"])


# ---------------------------------------------------------------- the book's CIFAR-3
def test_cifar3_on_the_real_training_set(cifar_train):
    cifar3 = class_subset(cifar_train, ["airplane", "automobile", "ship"])
    assert len(cifar3) == 15_000 and cifar3.classes == ["airplane", "automobile", "ship"]
    assert np.bincount(cifar3.targets).tolist() == [5_000, 5_000, 5_000]
    x, y = as_tensors(cifar3)
    assert x.shape == (15_000, 3, 32, 32) and sorted(set(y.tolist())) == [0, 1, 2]
    assert cifar3.indices == sorted(cifar3.indices)
    assert cifar_train.classes[cifar_train.targets[cifar3.indices[0]]] == cifar3.classes[cifar3.targets[0]]
    image, label = cifar3[0]
    assert image.size == (32, 32) and label == cifar3.targets[0]
    train_part, _ = random_split(cifar_train, [45_000, 5_000], generator=torch.Generator().manual_seed(0))
    part3 = class_subset(train_part, ["airplane", "automobile", "ship"])
    assert 13_000 < len(part3) < 14_000 and set(part3.indices) <= set(cifar3.indices)
