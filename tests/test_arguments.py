"""The shared argument checks of ainotes.arguments: what they accept, and the error for each kind of mistake."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from ainotes import arguments as a


# --------------------------------------------------------------------------------------------
# Accepted values come back in a plain form
# --------------------------------------------------------------------------------------------
def test_accepted_values_come_back_plain(tmp_path: Path) -> None:
    assert a.whole(np.int64(3), "n") == 3 and type(a.whole(np.int64(3), "n")) is int
    assert a.real(np.float32(0.5), "lr") == 0.5 and type(a.real(1, "lr")) is float
    assert a.fraction(1, "p") == 1.0 and a.fraction(0, "p") == 0.0
    assert a.flag(np.bool_(True), "train") is True
    assert a.choice("same", "padding", ("valid", "same")) == "same"
    assert a.function(len, "fn", example="len") is len
    assert a.tensor(torch.zeros(1, 2), "x", ndim=(2, 4), floating=True).shape == (1, 2)
    assert a.class_labels(np.array([1, 0], dtype=np.uint8), "y").dtype == torch.int64
    assert a.class_labels(torch.tensor([1, 0], dtype=torch.int8), "y", classes=2).tolist() == [1, 0]
    assert a.class_labels([], "y", classes=3).numel() == 0
    assert a.folder(tmp_path / "new", "root") == tmp_path / "new"
    assert a.folder(str(tmp_path), "root") == tmp_path
    layer = nn.ReLU()
    assert a.module(layer, "layer", example="nn.ReLU()") is layer
    assert a.nonempty(iter([1]), "items", example="[1]") == [1]


# --------------------------------------------------------------------------------------------
# Each mistake: its error type, and a message that names the argument
# --------------------------------------------------------------------------------------------
BAD = [
    ("whole-float", lambda: a.whole(2.0, "steps"), TypeError, r"steps must be a whole number, got 2\.0"),
    ("whole-bool", lambda: a.whole(True, "steps"), TypeError, r"steps must be a whole number"),
    ("whole-str", lambda: a.whole("3", "steps"), TypeError, r"steps must be a whole number, got '3'"),
    ("whole-least", lambda: a.whole(0, "batch_size", least=1), ValueError, r"batch_size=0 is too small"),
    ("whole-most", lambda: a.whole(11, "k", most=10), ValueError, r"k=11 is too large: give at most 10"),
    ("real-str", lambda: a.real("0.01", "lr"), TypeError, r"lr must be a number, got '0\.01'"),
    ("real-bool", lambda: a.real(False, "lr"), TypeError, r"lr must be a number"),
    ("real-nan", lambda: a.real(math.nan, "lr"), ValueError, r"lr=nan is not a finite number"),
    ("real-inf", lambda: a.real(math.inf, "lr"), ValueError, r"lr=inf is not a finite number"),
    ("real-zero", lambda: a.real(0, "lr", positive=True), ValueError, r"lr=0 is impossible"),
    ("real-negative", lambda: a.real(-1e-3, "lr", positive=True), ValueError, r"lr=-0\.001 is impossible"),
    ("fraction-percent", lambda: a.fraction(85, "p"), ValueError, r"p=85 .*percentage, give 0\.85"),
    ("fraction-negative", lambda: a.fraction(-0.1, "p"), ValueError, r"p=-0\.1 is not between 0 and 1"),
    ("fraction-just-above-one", lambda: a.fraction(1.5, "p"), ValueError, r"^p=1\.5 is not between 0 and 1\.$"),
    ("fraction-huge", lambda: a.fraction(500, "p"), ValueError, r"p=500 is not between 0 and 1"),
    ("fraction-str", lambda: a.fraction("0.5", "p"), TypeError, r"p must be a number"),
    ("flag-str", lambda: a.flag("False", "train"), TypeError, r"train must be True or False, got 'False'"),
    ("flag-int", lambda: a.flag(0, "train"), TypeError, r"train must be True or False, got 0"),
    ("choice-typo", lambda: a.choice("smae", "padding", ["same"]), ValueError, r"padding='smae'.*did you mean 'same'"),
    ("choice-unrelated", lambda: a.choice("xyz", "padding", ["same"]), ValueError, r"padding='xyz' is not known"),
    ("choice-int", lambda: a.choice(1, "padding", ["same"]), TypeError, r"padding must be one of 'same'"),
    (
        "function-class-name",
        lambda: a.function("ToTensor", "transform", example="ToTensor()"),
        TypeError,
        r"transform must be callable",
    ),
    ("tensor-list", lambda: a.tensor([1, 2], "x"), TypeError, r"x must be a torch\.Tensor, got list"),
    ("tensor-numpy", lambda: a.tensor(np.zeros(2), "x"), TypeError, r"torch\.from_numpy\(x\)"),
    (
        "tensor-ndim",
        lambda: a.tensor(torch.zeros(3, 4), "x", ndim=4),
        ValueError,
        r"x must have 4 dimensions.*\(3, 4\)",
    ),
    ("tensor-ndims", lambda: a.tensor(torch.zeros(3), "x", ndim=(2, 4)), ValueError, r"x must have 2 or 4 dimensions"),
    (
        "tensor-uint8",
        lambda: a.tensor(torch.zeros(2, dtype=torch.uint8), "x", floating=True),
        TypeError,
        r"x holds torch\.uint8 .*x\.float\(\) / 255",
    ),
    (
        "tensor-long",
        lambda: a.tensor(torch.zeros(2, dtype=torch.long), "x", floating=True),
        TypeError,
        r"x holds torch\.int64 .*x\.float\(\)",
    ),
    (
        "labels-float",
        lambda: a.class_labels(torch.tensor([0.0, 1.0]), "y"),
        TypeError,
        r"y holds torch\.float32.*y\.long\(\)",
    ),
    ("labels-bool", lambda: a.class_labels(torch.tensor([True]), "y"), TypeError, r"y holds torch\.bool"),
    ("labels-one-hot", lambda: a.class_labels(torch.eye(3), "y"), ValueError, r"y has shape \(3, 3\).*y\.argmax\(1\)"),
    ("labels-scalar", lambda: a.class_labels(torch.tensor(3), "y"), ValueError, r"y has shape \(\)"),
    (
        "labels-range-high",
        lambda: a.class_labels(torch.tensor([0, 10]), "y", classes=10),
        ValueError,
        r"y run from 0 to 10, but there are 10 classes",
    ),
    (
        "labels-range-negative",
        lambda: a.class_labels(torch.tensor([-1, 0]), "y", classes=10),
        ValueError,
        r"y run from -1",
    ),
    (
        "labels-list-text",
        lambda: a.class_labels(["cat", "dog"], "y"),
        TypeError,
        r"y must hold whole class numbers, got text .*'cat'",
    ),
    ("labels-list-float", lambda: a.class_labels([0.5], "y"), TypeError, r"y must hold whole class numbers, got float"),
    ("labels-list-bool", lambda: a.class_labels([True, False], "y"), TypeError, r"got bool values"),
    ("labels-ragged", lambda: a.class_labels([[1, 2], [3]], "y"), ValueError, r"y must be a flat list"),
    (
        "labels-str",
        lambda: a.class_labels("012", "y"),
        TypeError,
        r"y must be a tensor of class indices, got '012' \(str\)",
    ),
    ("folder-int", lambda: a.folder(3, "root"), TypeError, r"root must be a folder path"),
    ("module-class", lambda: a.module(nn.ReLU, "layer", example="nn.ReLU()"), TypeError, r"layer .*got the class ReLU"),
    (
        "module-str",
        lambda: a.module("relu", "layer", example="nn.ReLU()"),
        TypeError,
        r"layer must be a torch\.nn\.Module",
    ),
    ("nonempty-empty", lambda: a.nonempty([], "presets", example="['edge']"), ValueError, r"presets is empty"),
    ("nonempty-str", lambda: a.nonempty("edge", "presets", example="['edge']"), TypeError, r"presets must be a list"),
    ("nonempty-int", lambda: a.nonempty(3, "presets", example="['edge']"), TypeError, r"presets must be a list"),
]


@pytest.mark.parametrize(("call", "error", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_each_mistake_is_named(call, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    file = tmp_path / "data.txt"
    file.write_text("not a folder")
    with pytest.raises(ValueError, match=r"root=.*data\.txt' is a file, not a folder"):
        a.folder(file, "root")


SHOWN = [
    ("numpy-text", lambda: a.whole(np.str_("3"), "n"), r"^n must be a whole number, got '3'\.$"),
    ("numpy-number", lambda: a.real(np.float64("nan"), "lr"), r"^lr=nan is not a finite number\.$"),
    ("long-tensor", lambda: a.whole(torch.arange(100), "n"), r"got a tensor of shape \(100,\)\.$"),
    ("short-tensor", lambda: a.whole(torch.tensor(3.0), "n"), r"got tensor\(3\.0\)\.$"),
    ("no-address", lambda: a.flag(object(), "train"), r"^train must be True or False, got an object\.$"),
    ("none", lambda: a.module(None, "layer", example="nn.ReLU()"), r"got None: e\.g\. nn\.ReLU\(\)\.$"),
    ("numpy-choice", lambda: a.choice(np.str_("smae"), "padding", ["same"]), r"^padding='smae' is not known"),
]


@pytest.mark.parametrize(("call", "message"), [case[1:] for case in SHOWN], ids=[case[0] for case in SHOWN])
def test_messages_show_values_briefly(call, message: str) -> None:
    """NumPy scalars as plain values, long tensors by their shape, objects without memory addresses."""
    with pytest.raises((TypeError, ValueError), match=message):
        call()
