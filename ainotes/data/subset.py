"""A few classes of a data set, relabelled 0, 1, 2, ...: chapter 4's "CIFAR-3".

:func:`~ainotes.data.class_subset` keeps the images of the chosen classes, in their original order, and gives
them the labels 0, 1, 2, ... in the order the classes are named. It takes a torchvision-style
dataset (or a ``Subset`` of one, as ``random_split`` makes) and returns a :class:`ClassSubset`,
or a pair of tensors ``(images, labels)`` and returns such a pair.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset

from ainotes.arguments import _a

__all__ = ["ClassSubset", "class_subset"]

_ACCEPTED = (
    "class_subset takes a torchvision-style dataset (one with `targets` and `classes`, such as "
    "ainotes.data.cifar10() or torchvision's CIFAR10 and MNIST), a Subset of one (as random_split makes), "
    "or a pair (images, labels) of tensors"
)


# --------------------------------------------------------------------------------------------
# The dataset
# --------------------------------------------------------------------------------------------
class ClassSubset(Dataset):
    """The images of some classes of a dataset, relabelled 0, 1, 2 and so on in the order of ``classes``.

    Made by :func:`~ainotes.data.class_subset`. Item ``i`` is ``(image, targets[i])``: the image of
    ``dataset[indices[i]]``, with the dataset's ``transform``, and its new label.

    Attributes
    ----------
    dataset : Dataset
        The root dataset (under any ``Subset``), whose ``__getitem__`` gives the images.
    indices : list of int
        Positions of the chosen images in ``dataset``, in their original order.
    targets : list of int
        The new labels, 0 to ``len(classes) - 1``.
    classes : list of str
        The names of the chosen classes: ``classes[targets[i]]`` is image ``i``'s class.
    data : array or tensor
        The root dataset's ``data`` rows at ``indices`` (read on first use), so that
        :func:`~ainotes.data.as_tensors` and :func:`~ainotes.data.channel_stats` take their fast
        path. Absent when the root dataset has no ``data`` array.

    Examples
    --------
    >>> import torch
    >>> from ainotes.data import ClassSubset
    >>> class Tiny:  # a torchvision-style dataset: items (image, label), `data`, `targets`, `classes`
    ...     classes = ["cat", "dog", "ship"]
    ...     data = torch.arange(5).view(5, 1, 1).to(torch.uint8)
    ...     targets = [2, 0, 1, 2, 0]
    ...
    ...     def __len__(self):
    ...         return len(self.targets)
    ...
    ...     def __getitem__(self, i):
    ...         return self.data[i].float(), self.targets[i]
    >>> ships = ClassSubset(
    ...     Tiny(), indices=[0, 3], targets=[0, 0], classes=["ship"]
    ... )  # as class_subset makes it
    >>> len(ships), ships[1], ships.data.flatten().tolist()
    (2, (tensor([[3.]]), 0), [0, 3])
    """

    def __init__(self, dataset: Any, indices: Sequence[int], targets: Sequence[int], classes: Sequence[str]) -> None:
        if not hasattr(dataset, "__getitem__") or isinstance(dataset, type):
            raise TypeError(f"dataset must be a dataset whose items are (image, label), got {dataset!r}: e.g. "
                            "class_subset(cifar10(), ['cat', 'dog']) makes a ClassSubset for you.")  # fmt: skip
        classes = _names(classes, "classes")
        index, label = _whole_numbers(indices, "indices"), _whole_numbers(targets, "targets")
        if len(index) != len(label):
            raise ValueError(f"{len(index)} indices but {len(label)} targets: they must match one to one.")
        size = len(dataset) if hasattr(dataset, "__len__") else None
        if index.size and (index.min() < 0 or (size is not None and index.max() >= size)):
            raise ValueError(f"indices run from {index.min()} to {index.max()}, but the {type(dataset).__name__} has "
                             f"{size} items: give positions from 0 to {size - 1 if size else 0}.")  # fmt: skip
        if label.size and (label.min() < 0 or label.max() >= len(classes)):
            raise ValueError(f"targets run from {label.min()} to {label.max()}, but there are {len(classes)} classes: "
                             f"give new labels from 0 to {len(classes) - 1}, one per class.")  # fmt: skip
        self.dataset = dataset
        self.indices: list[int] = index.tolist()
        self.targets: list[int] = label.tolist()
        self.classes: list[str] = classes
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        self._data: Any = None

    @property
    def data(self) -> Any:
        if self._data is None:
            rows = getattr(self.dataset, "data", None)
            if rows is None:  # an AttributeError: hasattr(subset, "data") is then False, as for the root
                raise AttributeError(
                    f"The {type(self.dataset).__name__} this subset was taken from has no `data` array, so neither "
                    "has the subset: read its images item by item, e.g. with a DataLoader."
                )
            if isinstance(rows, torch.Tensor):
                self._data = rows[torch.as_tensor(self.indices, dtype=torch.long)]
            else:
                self._data = np.asarray(rows)[np.asarray(self.indices, dtype=np.int64)]
        return self._data

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        item = self.dataset[self.indices[index]]
        image = item[0] if isinstance(item, (tuple, list)) else item
        return image, self.targets[index]

    def __repr__(self) -> str:
        return (
            f"ClassSubset of {type(self.dataset).__name__}: {len(self)} images of "
            f"{len(self.classes)} class{'es' if len(self.classes) != 1 else ''} {self.classes}"
        )


# --------------------------------------------------------------------------------------------
# Checking the arguments
# --------------------------------------------------------------------------------------------
def _chosen(classes: Any) -> list[str] | list[int]:
    """``classes`` as a list of names or of indices, or a clear error."""
    if isinstance(classes, str):
        raise TypeError(f"classes must be a list of class names, not a single string: pass [{classes!r}].")
    if isinstance(classes, (int, np.integer)) and not isinstance(classes, bool):
        raise TypeError(f"classes must be a list of class names or indices, not a single number: pass [{classes}].")
    if isinstance(classes, (set, frozenset)):
        raise TypeError("classes must be a list, not a set: a set has no order, and the order of the classes gives "
                        f"their new labels 0, 1, 2, ... Pass e.g. {sorted(classes, key=str)!r}.")  # fmt: skip
    if isinstance(classes, (np.ndarray, torch.Tensor)):
        classes = classes.tolist() if classes.ndim == 1 else classes
    if not isinstance(classes, Sequence) or isinstance(classes, bytes):
        raise TypeError(f"classes must be a list of class names or indices, e.g. ['airplane', 'ship'] or [0, 8]; "
                        f"got {_a(classes)}.")  # fmt: skip
    chosen = list(classes)
    if not chosen:
        raise ValueError("classes is empty: name at least one class, e.g. ['airplane', 'automobile', 'ship'].")
    is_name = [isinstance(c, str) for c in chosen]
    is_index = [isinstance(c, (int, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in chosen]
    for c, name, index in zip(chosen, is_name, is_index):
        if not (name or index):
            raise TypeError(f"classes holds {c!r}, a {type(c).__name__}: give class names (str) or class indices "
                            "(int).")  # fmt: skip
    if any(is_name) and not all(is_name):
        raise TypeError(f"classes mixes names and indices: {chosen!r}. Give all names or all indices.")
    chosen = chosen if all(is_name) else [int(c) for c in chosen]
    repeated = sorted({c for c in chosen if chosen.count(c) > 1}, key=chosen.index)
    if repeated:
        raise ValueError(f"classes gives {', '.join(map(repr, repeated))} more than once: give each class once "
                         "(each class gets one new label).")  # fmt: skip
    return chosen


def _whole_numbers(values: Any, name: str) -> np.ndarray:
    """``values`` (a list of whole numbers) as a 1-D int64 array, or a clear error naming ``name``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray, torch.Tensor)):
        raise TypeError(f"{name} must be a list of whole numbers, got {values!r} ({type(values).__name__}).")
    array = np.asarray(values.cpu() if isinstance(values, torch.Tensor) else values)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"{name} must be a list of whole numbers; got {array.dtype} values of shape {array.shape}.")
    return array.astype(np.int64)


def _names(names: Any, where: str) -> list[str]:
    """``names`` (a list of class names) as a list of str, or a clear error."""
    if isinstance(names, str) or not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{where} must be a list of class names (str), e.g. train_set.classes; got {names!r}.")
    return list(names)


def _indices(chosen: list[str] | list[int], names: list[str] | None, count: int | None) -> list[int]:
    """The class indices of ``chosen``: names looked up in ``names``, indices checked against ``count``."""
    if isinstance(chosen[0], str):
        if names is None:
            raise ValueError("Class names need the list of all class names to find their labels: pass "
                             "class_names=, e.g. class_subset((x, y), ['ship'], class_names=train_set.classes), "
                             "or give class indices instead.")  # fmt: skip
        result = []
        for name in chosen:
            if name not in names:
                lowered = {n.lower(): n for n in names}
                close = difflib.get_close_matches(name.lower(), list(lowered), n=1)
                hint = f"; did you mean {lowered[close[0]]!r}?" if close else "."
                raise ValueError(f"{name!r} is not a class of this data set{hint} Its classes are: "
                                 f"{', '.join(map(repr, names))}.")  # fmt: skip
            result.append(names.index(name))
        return result
    for index in chosen:
        if index < 0 or (count is not None and index >= count):
            what = f"indices 0 to {count - 1}" if count is not None else "indices 0 or more"
            raise ValueError(f"Class index {index} is out of range: this data set has {what}. Give indices in that "
                             "range, or class names.")  # fmt: skip
    return list(chosen)


def _selection(labels: np.ndarray, wanted: list[int], chosen: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in order) of the labels among ``wanted``, and their new labels; an error if a class has none."""
    order = np.argsort(wanted)
    sorted_wanted = np.asarray(wanted, dtype=np.int64)[order]
    keep = np.flatnonzero(np.isin(labels, sorted_wanted))
    new = order[np.searchsorted(sorted_wanted, labels[keep])]
    counts = np.bincount(new, minlength=len(wanted))
    if (counts == 0).any():
        empty = ", ".join(repr(c) for c, n in zip(chosen, counts) if n == 0)
        among = f"{len(labels)} images, labels {labels.min()} to {labels.max()}" if len(labels) else "no images"
        start = f"None of the classes {empty} has any" if len(keep) == 0 else f"Class {empty} has no"
        raise ValueError(f"{start} images in this data ({among}): every chosen class needs images. Check the "
                         "classes, or the data they are taken from.")  # fmt: skip
    return keep, new


def _integer_labels(targets: Any, where: str) -> np.ndarray:
    labels = np.asarray(targets.cpu() if isinstance(targets, torch.Tensor) else targets)
    if labels.ndim != 1 or not (np.issubdtype(labels.dtype, np.integer) and labels.dtype != np.bool_):
        raise TypeError(f"{where} must be one integer label per image; got {labels.dtype} values of shape "
                        f"{labels.shape}.")  # fmt: skip
    return labels.astype(np.int64)


# --------------------------------------------------------------------------------------------
# The two kinds of data
# --------------------------------------------------------------------------------------------
def _subset_of_dataset(data: Any, chosen: list[Any], class_names: Any) -> ClassSubset:
    base, positions = data, None
    while isinstance(base, Subset):  # compose the index lists of nested Subsets
        index = base.indices
        level = index.cpu().numpy() if isinstance(index, torch.Tensor) else np.asarray(list(index), dtype=np.int64)
        positions = level if positions is None else level[positions]
        base = base.dataset
    if not hasattr(base, "targets"):
        raise TypeError(f"{_ACCEPTED}; got {_a(base)} without `targets`.")
    labels = _integer_labels(base.targets, f"The {type(base).__name__}'s `targets`")
    if positions is None:
        positions = np.arange(len(labels))
    positions = np.where(positions < 0, positions + len(labels), positions)
    names = getattr(base, "classes", None)
    if names is None and class_names is None:
        raise TypeError(f"The {type(base).__name__} has `targets` but no `classes`: pass its class names as "
                        "class_names=[...].")  # fmt: skip
    if names is not None:
        names = _names(names, f"The {type(base).__name__}'s `classes`")
        if class_names is not None and _names(class_names, "class_names") != names:
            raise ValueError(f"class_names= differs from the {type(base).__name__}'s own classes {names}: leave "
                             "class_names out for a dataset; it is for a pair of tensors.")  # fmt: skip
    else:
        names = _names(class_names, "class_names")
    wanted = _indices(chosen, names, len(names))
    keep, new = _selection(labels[positions], wanted, chosen)
    root, at_root = base, positions[keep]
    if isinstance(base, ClassSubset):  # a subset of a subset: index the root dataset directly
        root, at_root = base.dataset, np.asarray(base.indices, dtype=np.int64)[at_root]
    return ClassSubset(root, at_root.tolist(), new.tolist(), [names[i] for i in wanted])


def _subset_of_tensors(images: torch.Tensor, labels: torch.Tensor, chosen: list[Any],
                       class_names: Any) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    if labels.ndim != 1 or labels.dtype == torch.bool or labels.is_floating_point() or labels.is_complex():
        raise TypeError(f"labels must be a 1-D tensor of integer class labels; got {labels.dtype} of shape "
                        f"{tuple(labels.shape)}. (For float labels, use labels.long().)")  # fmt: skip
    if images.ndim == 0 or len(images) != len(labels):
        raise ValueError(f"{len(images) if images.ndim else 'A 0-D tensor of'} images but {len(labels)} labels: "
                         "give one label per image, images[i] with labels[i].")  # fmt: skip
    names = None if class_names is None else _names(class_names, "class_names")
    values = labels.cpu().numpy().astype(np.int64)
    if names is not None and len(values) and values.max() >= len(names):
        raise ValueError(f"The labels run up to {values.max()}, but class_names has {len(names)} names: pass the "
                         "full list of class names of this data set, e.g. train_set.classes.")  # fmt: skip
    wanted = _indices(chosen, names, None if names is None else len(names))
    keep, new = _selection(values, wanted, chosen)
    keep_t = torch.as_tensor(keep, dtype=torch.long)
    return images[keep_t.to(images.device)], torch.as_tensor(new).to(device=labels.device, dtype=labels.dtype)


# --------------------------------------------------------------------------------------------
# The function
# --------------------------------------------------------------------------------------------
@overload
def class_subset(data: tuple[torch.Tensor, torch.Tensor], classes: Sequence[str] | Sequence[int], *,
                 class_names: Sequence[str] | None = None) -> tuple[torch.Tensor, torch.Tensor]: ...  # fmt: skip
@overload
def class_subset(data: Dataset, classes: Sequence[str] | Sequence[int], *,
                 class_names: Sequence[str] | None = None) -> ClassSubset: ...  # fmt: skip
def class_subset(
    data: Any, classes: Sequence[str] | Sequence[int], *, class_names: Sequence[str] | None = None
) -> ClassSubset | tuple[torch.Tensor, torch.Tensor]:
    """Only the images of ``classes``, relabelled 0, 1, 2 and so on in the order the classes are given.

    The images keep their original order (they are not grouped by class).

    Parameters
    ----------
    data : dataset, Subset or pair of tensors
        - a torchvision-style dataset with ``targets`` and ``classes`` (:func:`~ainotes.data.cifar10`,
          torchvision's ``CIFAR10``, ``MNIST``, ...) or a ``Subset`` of one, nested or not (as
          ``random_split`` makes): gives a :class:`ClassSubset`;
        - a pair ``(images, labels)`` of tensors, ``labels`` one integer per image: gives such a pair.
    classes : list of str or list of int
        The classes to keep, by name or by index (not mixed), each once. The first gets label 0,
        the second label 1, and so on.
    class_names : list of str, optional
        For a pair of tensors and class names: the names of all classes of the data set, in
        label order (e.g. ``train_set.classes``). A dataset has its own ``classes``.

    Returns
    -------
    ClassSubset or (tensor, tensor)
        A dataset whose items are ``(image, new label)``, with ``classes``, ``targets``, ``indices``,
        ``dataset`` and ``data``; or the images of those classes with their new labels.

    Raises
    ------
    ValueError
        A class that is not in the data set, an index out of range, a class given twice, no
        classes, a class without images, or images and labels of different lengths.
    TypeError
        A single name instead of a list, names mixed with indices, or data of another kind.

    Examples
    --------
    >>> import torch
    >>> from ainotes.data import class_subset
    >>> class Tiny:  # a torchvision-style dataset: items (image, label), `data`, `targets`, `classes`
    ...     classes = ["cat", "dog", "ship"]
    ...     data = torch.arange(5).view(5, 1, 1).to(torch.uint8)
    ...     targets = [2, 0, 1, 2, 0]
    ...
    ...     def __len__(self):
    ...         return len(self.targets)
    ...
    ...     def __getitem__(self, i):
    ...         return self.data[i].float(), self.targets[i]
    >>> ships_and_cats = class_subset(Tiny(), ["ship", "cat"])
    >>> ships_and_cats.classes, ships_and_cats.targets, ships_and_cats.indices
    (['ship', 'cat'], [0, 1, 0, 1], [0, 1, 3, 4])
    >>> ships_and_cats[2]
    (tensor([[3.]]), 0)
    >>> x, y = class_subset((torch.arange(5.0), torch.tensor([2, 0, 1, 2, 0])), [2, 0])
    >>> x.tolist(), y.tolist()
    ([0.0, 1.0, 3.0, 4.0], [0, 1, 0, 1])
    >>> class_subset(Tiny(), ["chip"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: 'chip' is not a class of this data set; did you mean 'ship'? Its classes are: 'cat', 'dog', 'ship'.
    """
    chosen = _chosen(classes)
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        return _subset_of_tensors(data[0], data[1], chosen, class_names)
    if isinstance(data, Subset) or hasattr(data, "targets"):
        return _subset_of_dataset(data, chosen, class_names)
    if isinstance(data, DataLoader):
        advice = ": pass its dataset, loader.dataset, and make a new DataLoader of the result"
    elif isinstance(data, TensorDataset):
        advice = ": pass its two tensors, data.tensors"
    elif isinstance(data, (tuple, list)) and len(data) == 2 and any(isinstance(t, np.ndarray) for t in data):
        advice = ": turn numpy arrays into tensors with torch.from_numpy(array)"
    else:
        advice = ""
    raise TypeError(f"{_ACCEPTED}; got {_a(data)}{advice}.")
