"""Bad input to the widgets, their pure functions and ainotes.models: a clear TypeError or ValueError (or, for
files, a CheckpointError) that names the argument, raised before any deep call into torch or ipywidgets."""

import re

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import ainotes.bn_explorer
import ainotes.channel_explorer
import ainotes.explorer
import ainotes.param_explorer
import ainotes.schedule_explorer
import ainotes.transfer_explorer
from ainotes._signatures import init_signature
from ainotes.bn_explorer import BatchNormExplorer, batchnorm_figure
from ainotes.bn_view import batchnorm_view
from ainotes.models import (
    BasicBlock,
    CheckpointError,
    Preprocess,
    SmallResNet,
    SmallResNetWeights,
    load_checkpoint,
    small_resnet,
)
from ainotes.param_explorer import memory_text
from ainotes.schedule_explorer import OneCycleExplorer
from ainotes.transfer_explorer import TransferExplorer, transfer_caption, transfer_figure
from ainotes.widgets import ChannelExplorer, ConvolutionExplorer

WEIGHTS = SmallResNetWeights.CIFAR7_V1


@pytest.fixture(autouse=True)
def drawn(monkeypatch):
    """The figures the widgets show (none for a refused constructor); one thread for the tiny tensors."""
    shown = []
    for module in (ainotes.explorer, ainotes.channel_explorer, ainotes.param_explorer, ainotes.schedule_explorer,
                   ainotes.bn_explorer, ainotes.transfer_explorer):  # fmt: skip
        monkeypatch.setattr(module, "show_figure", shown.append)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield shown
    torch.set_num_threads(threads)


# ---------------------------------------------------------------- ConvolutionExplorer
IMAGE = torch.rand(8, 8)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"images": [IMAGE]}, TypeError, r"images must be a dict \{'name': image tensor\}, got list"),
        ({"images": IMAGE}, TypeError, r"images must be a dict .*got Tensor"),
        ({"images": {}}, ValueError, r"images is empty: give at least one image"),
        ({"images": {"a": "square.png"}}, TypeError, r"images\['a'\] must be a tensor .*got str"),
        ({"images": {"a": [[1, 2], [3]]}}, TypeError, r"images\['a'\] must hold numbers in rows of equal length"),
        ({"images": {"a": torch.rand(8, 8, 3)}}, ValueError, r"images\['a'\] has shape \(8, 8, 3\).*channels-last: "
                                                             r"use images\['a'\]\.permute\(2, 0, 1\)"),
        ({"images": {"a": torch.rand(1, 3, 8, 8)}}, ValueError, r"images\['a'\] has shape \(1, 3, 8, 8\).*"
                                                                r"images\['a'\]\[0\]"),
        ({"images": {"a": torch.rand(0, 0)}}, ValueError, r"images\['a'\] has shape \(0, 0\): the image is empty"),
        ({"images": {"a": torch.full((8, 8), float("nan"))}}, ValueError, r"images\['a'\] holds NaN or infinite"),
        ({"kernels": [torch.ones(3, 3)]}, TypeError, r"kernels must be a dict .*got list"),
        ({"kernels": "sobel"}, TypeError, r"kernels must be a dict .*got str"),
        ({"kernels": {"k": "sobel"}}, TypeError, r"kernels\['k'\] must be a tensor .*got str"),
        ({"tasks": "yes"}, TypeError, r"tasks must be True or False, got 'yes'"),
        ({"tasks": 1}, TypeError, r"tasks must be True or False, got 1"),
    ],
    ids=["images list", "images tensor", "images empty", "image str", "image ragged", "channels-last", "batch",
         "empty image", "nan image", "kernels list", "kernels str", "kernel str", "tasks str", "tasks int"],
)  # fmt: skip
def test_convolution_explorer_refuses(drawn, kwargs, error, match):
    kwargs = {"images": {"a": IMAGE}} | kwargs
    with pytest.raises(error, match=match):
        ConvolutionExplorer(**kwargs)
    assert drawn == []


def test_convolution_explorer_still_takes_arrays_and_lists():
    explorer = ConvolutionExplorer({"array": np.ones((8, 8)), "list": [[1.0] * 8] * 8}, kernels={"k": [[0, 1, 0]] * 3})
    assert explorer.drawn["output_size"] == (6, 6)


# ---------------------------------------------------------------- ChannelExplorer
def tiny(**changes):
    class Tiny:
        data = np.random.default_rng(0).integers(0, 256, (6, 8, 8, 3), dtype=np.uint8)
        targets = [0, 1, 0, 1, 1, 0]
        classes = ["cat", "dog"]

    for name, value in changes.items():
        setattr(Tiny, name, value)
    return Tiny()


MEAN, STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)


@pytest.mark.parametrize(
    ("dataset", "mean", "std", "error", "match"),
    [
        ("cifar10", MEAN, STD, TypeError, r"dataset: the str has no `data` or `targets` or `classes`"),
        (tiny(targets=[0, 1, 0, 1, 5, 0]), MEAN, STD, ValueError, r"dataset\.targets run from 0 to 5, but there are "
                                                                  r"2 classes"),
        (tiny(targets=[0, 1, 0, 1, -1, 0]), MEAN, STD, ValueError, r"dataset\.targets run from -1 to 1"),
        (tiny(targets=[0.0, 1, 0, 1, 1, 0]), MEAN, STD, TypeError, r"dataset\.targets must hold whole class numbers"),
        (tiny(classes=[]), MEAN, STD, ValueError, r"dataset\.classes is empty"),
        (tiny(classes="cd"), MEAN, STD, TypeError, r"dataset\.classes must be a list, got 'cd'"),
        (tiny(data=np.zeros((0, 8, 8, 3), np.uint8), targets=[]), MEAN, STD, ValueError, r"`data` holds no images"),
        (tiny(data=np.zeros((6, 3, 8, 8), np.uint8)), MEAN, STD, ValueError, r"`data` is uint8 of shape "
                                                                             r"\(6, 3, 8, 8\).*transpose\(0, 2, 3, 1\)"),
        (tiny(), (125.3, 123.0, 113.9), STD, ValueError, r"`mean` is \(125\.3, 123\.0, 113\.9\): .*divide values of "
                                                         r"0-255 pixels by 255"),
        (tiny(), MEAN, (63.0, 62.1, 66.7), ValueError, r"`std` is \(63\.0, 62\.1, 66\.7\): .* from 0 to 1"),
        (tiny(), (0.5, float("nan"), 0.5), STD, ValueError, r"`mean` is \(0\.5, nan, 0\.5\)"),
    ],
    ids=["dataset str", "target too large", "target negative", "float targets", "no classes", "classes str",
         "no images", "channels-first", "mean 0-255", "std 0-255", "mean nan"],
)  # fmt: skip
def test_channel_explorer_refuses(drawn, dataset, mean, std, error, match):
    with pytest.raises(error, match=match):
        ChannelExplorer(dataset, mean, std, start=0)
    assert drawn == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"start": 2.0}, TypeError, r"start must be a whole number, got 2\.0: e\.g\. start=79"),
     ({"start": True}, TypeError, r"start must be a whole number, got True"),
     ({"per_class": 10.0}, TypeError, r"per_class must be a whole number, got 10\.0"),
     ({"per_class": 0}, ValueError, r"per_class=0 is too small: give at least 1")],
    ids=["start float", "start bool", "per_class float", "per_class 0"],
)  # fmt: skip
def test_channel_explorer_counts(kwargs, error, match):
    with pytest.raises(error, match=match):
        ChannelExplorer(tiny(), MEAN, STD, **{"start": 0} | kwargs)


# ---------------------------------------------------------------- memory_text
@pytest.mark.parametrize(
    ("n_bytes", "error", "match"),
    [("1000", TypeError, r"n_bytes must be a number, got '1000'"), (None, TypeError, r"n_bytes must be a number"),
     (True, TypeError, r"n_bytes must be a number, got True"), (-5, ValueError, r"n_bytes=-5 is impossible"),
     (float("nan"), ValueError, r"n_bytes=nan is not a finite number"),
     (float("inf"), ValueError, r"n_bytes=inf is not a finite number")],
    ids=["str", "None", "bool", "negative", "nan", "inf"],
)  # fmt: skip
def test_memory_text_refuses(n_bytes, error, match):
    with pytest.raises(error, match=match):
        memory_text(n_bytes)


def test_memory_text_still_takes_numpy_and_tensor_counts():
    assert memory_text(np.int64(73_416)) == memory_text(torch.tensor(73_416)) == memory_text(73_416) == "73.4 kB"


# ---------------------------------------------------------------- OneCycleExplorer
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"momentum": {0.85, 0.95}}, TypeError, r"momentum must be a pair \(base_momentum, max_momentum\), got \{"),
        ({"momentum": {"base": 0.85, "max": 0.95}}, TypeError, r"momentum must be a pair"),
        ({"momentum": (85, 95)}, ValueError, r"momentum\[0\]=85 is not between 0 and 1: it looks like a percentage, "
                                             r"give 0\.85"),
        ({"momentum": ("0.85", "0.95")}, TypeError, r"momentum\[0\] must be a number, got '0\.85'"),
        ({"show": "no"}, TypeError, r"show must be True or False, got 'no'"),
    ],
    ids=["momentum set", "momentum dict", "momentum percent", "momentum str", "show str"],
)  # fmt: skip
def test_one_cycle_explorer_refuses(drawn, kwargs, error, match):
    with pytest.raises(error, match=match):
        OneCycleExplorer(**kwargs)
    assert drawn == []


# ---------------------------------------------------------------- batchnorm_view, batchnorm_figure, BatchNormExplorer
class Unrolled(nn.Module):
    """Not a Sequential: the channels are found out by running it."""

    def __init__(self):
        super().__init__()
        self.conv, self.bn, self.head = nn.Conv2d(1, 4, 2, 2), nn.BatchNorm2d(4), nn.Linear(4, 10)

    def forward(self, x):
        return self.head(self.bn(self.conv(x)).mean((2, 3)))


@pytest.fixture(scope="module")
def bn_data():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 2, 2), nn.BatchNorm2d(4), nn.AvgPool2d(14), nn.Flatten(), nn.Linear(4, 10))
    return net, torch.randn(16, 1, 28, 28), torch.randint(0, 10, (16,))


BN_CASES = [
    ({"images": torch.randn(16, 3, 28, 28)}, ValueError, r"images has 3 channels \(shape \(16, 3, 28, 28\)\), but the "
                                                         r"model's first layer, Conv2d, takes 1: give images of shape "
                                                         r"\(N, 1, H, W\)"),
    ({"images": torch.randn(16, 28, 28, 1)}, ValueError, r"images has 28 channels .*channels-last: use "
                                                         r"images\.permute\(0, 3, 1, 2\)"),
    ({"images": torch.randn(16, 784)}, ValueError, r"images must be 4-D \(N, C, H, W\), got shape \(16, 784\)"),
    ({"images": torch.randn(16, 1, 20, 20)}, ValueError, r"images of shape \(16, 1, 20, 20\) do not fit the model"),
    ({"images": np.zeros((16, 1, 28, 28), np.float32)}, TypeError, r"images must be a float tensor .*got ndarray.*"
                                                                   r"torch\.from_numpy\(images\)"),
    ({"images": torch.randn(1, 1, 28, 28), "labels": torch.tensor([3])}, ValueError, r"images holds 1 image, .*"
                                                                                     r"give at least 2"),
    ({"labels": torch.full((16,), -1)}, ValueError, r"labels holds -1: class labels run from 0"),
    ({"labels": torch.eye(10)[torch.arange(16) % 10]}, TypeError, r"labels must be a 1-D integer tensor .*"
                                                                  r"labels\.argmax\(1\)"),
    ({"layer": nn.BatchNorm2d}, TypeError, r"layer must be a layer's name or the layer itself, got the class "
                                           r"BatchNorm2d"),
    ({"model": "nested", "layer": "0,1"}, ValueError, r"layer='0,1' is no layer of the model.*\(did you mean "
                                                      r"'0\.1'\?\)"),
    ({"model": nn.Sequential}, TypeError, r"model must be a torch\.nn\.Module, got the class Sequential"),
    ({"model": "unrolled", "images": torch.randn(16, 3, 28, 28)}, ValueError, r"images of shape \(16, 3, 28, 28\) do "
                                                                              r"not fit the model \(.*channels"),
]  # fmt: skip
BN_IDS = ["3 channels", "channels-last", "2-D", "wrong size", "numpy", "one image", "negative labels", "one-hot labels",
          "layer class", "layer typo", "model class", "not Sequential"]  # fmt: skip


def bn_arguments(bn_data, kwargs):
    net, images, labels = bn_data
    kwargs = {"model": net, "images": images, "labels": labels, "layer": "1", "batch_size": 8, "companions": 2} | kwargs
    if kwargs["model"] == "unrolled":
        kwargs["model"], kwargs["layer"] = Unrolled(), "bn"
    elif kwargs["model"] == "nested":  # the BN layer is named "0.1", as the chapter's are "1.2" and so on
        kwargs["model"] = nn.Sequential(nn.Sequential(*list(net)[:2]), *list(net)[2:])
    return kwargs


@pytest.mark.parametrize(("kwargs", "error", "match"), BN_CASES, ids=BN_IDS)
def test_batchnorm_view_refuses(bn_data, kwargs, error, match):
    with pytest.raises(error, match=match):
        batchnorm_view(**bn_arguments(bn_data, kwargs))


@pytest.mark.parametrize(("kwargs", "error", "match"), BN_CASES, ids=BN_IDS)
def test_batchnorm_explorer_refuses_data_that_do_not_fit(drawn, bn_data, kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchNormExplorer(**bn_arguments(bn_data, kwargs))
    assert drawn == []


def test_batchnorm_explorer_refuses_show_as_a_string(bn_data):
    with pytest.raises(TypeError, match=r"show must be True or False, got 'no'"):
        BatchNormExplorer(**bn_arguments(bn_data, {"show": "no"}))


def test_batchnorm_explorer_refuses_labels_beyond_the_models_classes(bn_data):
    with pytest.raises(ValueError, match=r"labels\[0\]=12 is not a class of the model's output"):
        BatchNormExplorer(**bn_arguments(bn_data, {"labels": torch.full((16,), 12)}))


def test_batchnorm_view_still_runs_a_model_that_is_not_sequential(bn_data):
    view = batchnorm_view(**bn_arguments(bn_data, {"model": "unrolled"}))
    assert view["layer"] == "bn" and len(view["train_probs"]) == 2


@pytest.mark.parametrize(
    ("view", "error", "match"),
    [("view", TypeError, r"view must be the dict batchnorm_view returns, got str"),
     ({}, ValueError, r"view lacks 'layer', 'channel', .*'eval_prob'"),
     ({"before": torch.zeros(3)}, ValueError, r"view lacks 'layer'")],
    ids=["str", "empty", "partial"],
)  # fmt: skip
def test_batchnorm_figure_refuses(view, error, match):
    with pytest.raises(error, match=match):
        batchnorm_figure(view)


# ---------------------------------------------------------------- transfer_caption, transfer_figure, TransferExplorer
def results(**run):
    return {"scratch": {50: {"curve": [0.3, 0.4], "test": 0.44}},
            "fine-tuning": {50: run or {"curve": [0.7, 0.8], "test": 0.77}}}  # fmt: skip


@pytest.mark.parametrize(
    ("table", "kwargs", "error", "match"),
    [
        (results(curve=[0.7]), {}, ValueError, r"results\['fine-tuning'\]\[50\] must be a dict .*it lacks 'test'"),
        (results(test=0.7), {}, ValueError, r"results\['fine-tuning'\]\[50\] must be a dict .*it lacks 'curve'"),
        ({"a": {"50": {"curve": [0.5], "test": 0.5}}}, {}, ValueError, r"the key '50' .*convert them with int\(key\)"),
        (results(curve=[0.7], test=torch.tensor(0.7)), {}, ValueError, r"\['test'\] must be a number.*got Tensor.*"
                                                                        r"\.item\(\)"),
        (results(curve=torch.tensor([0.6, 0.7]), test=0.7), {}, ValueError, r"\['curve'\] must be a non-empty list.*"
                                                                             r"\.tolist\(\)"),
        (results(), {"methods": ["fine tuning"]}, ValueError, r"methods: 'fine tuning' not in the results.*\(did you "
                                                              r"mean 'fine-tuning'\?\)"),
        (results(), {"methods": [["fine-tuning"]]}, ValueError, r"methods: \['fine-tuning'\] not in the results"),
    ],
    ids=["no test", "no curve", "JSON keys", "tensor test", "tensor curve", "method typo", "nested methods"],
)  # fmt: skip
def test_transfer_functions_refuse(drawn, table, kwargs, error, match):
    for call in (lambda: transfer_figure(table, **kwargs), lambda: transfer_caption(table, 50, **kwargs),
                 lambda: TransferExplorer(table, **kwargs)):  # fmt: skip
        with pytest.raises(error, match=match):
            call()
    assert drawn == []


def test_transfer_explorer_refuses_show_as_a_string():
    with pytest.raises(TypeError, match=r"show must be True or False, got 'no'"):
        TransferExplorer(results(), show="no")


# ---------------------------------------------------------------- BasicBlock and SmallResNet
@pytest.mark.parametrize(
    ("args", "error", "match"),
    [((0, 16), ValueError, r"in_channels=0 is too small"), ((16.0, 16), TypeError, r"in_channels must be a whole"),
     (("16", 16), TypeError, r"in_channels must be a whole number, got '16'"),
     ((16, -8), ValueError, r"out_channels=-8 is too small"), ((16, 16, 0), ValueError, r"stride=0 is too small"),
     ((16, 16, 1.5), TypeError, r"stride must be a whole number, got 1\.5")],
    ids=["in 0", "in float", "in str", "out negative", "stride 0", "stride float"],
)  # fmt: skip
def test_basic_block_refuses(args, error, match):
    with pytest.raises(error, match=match):
        BasicBlock(*args)


def test_basic_block_refuses_an_input_of_the_wrong_channels():
    with pytest.raises(ValueError, match=r"BasicBlock expects a batch of images \[N, 16, H, W\] .*got shape "
                                         r"\[1, 8, 8, 8\]"):  # fmt: skip
        BasicBlock(16, 32)(torch.zeros(1, 8, 8, 8))


@pytest.fixture(scope="module")
def resnet():
    return SmallResNet().eval()


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.zeros(2, 3, 32, 32, dtype=torch.uint8), TypeError, r"SmallResNet expects float images, got torch\.uint8"
                                                                  r".*weights\.transforms\(\)"),
        (np.zeros((2, 3, 32, 32), np.float32), TypeError, r"SmallResNet expects a tensor .*got ndarray.*"
                                                          r"torch\.from_numpy\(x\)"),
        ([[0.0]], TypeError, r"SmallResNet expects a tensor .*got list"),
        (torch.zeros(2, 3, 32, 32, dtype=torch.float64), TypeError, r"input x holds float64 values.*x\.float\(\)"),
        (torch.zeros(2, 32, 32, 3), ValueError, r"batch of colour images \[N, 3, H, W\].*channels-last.*"
                                                r"x\.permute\(0, 3, 1, 2\)"),
        (torch.zeros(2, 1, 32, 32), ValueError, r"batch of colour images \[N, 3, H, W\].*Grey images.*"
                                                r"x\.expand\(-1, 3, -1, -1\)"),
    ],
    ids=["uint8", "numpy", "list", "float64", "channels-last", "grey"],
)  # fmt: skip
def test_small_resnet_refuses_inputs(resnet, x, error, match):
    with pytest.raises(error, match=match):
        resnet(x)
    with pytest.raises(error, match=match):
        resnet.features(x)


def test_a_double_model_still_takes_float64_images():
    assert SmallResNet().double().eval()(torch.zeros(1, 3, 32, 32, dtype=torch.float64)).dtype == torch.float64


@pytest.mark.parametrize(
    ("weights", "error", "match"),
    [("CIFAR7_v1", ValueError, r"Unknown weights 'CIFAR7_v1'.*\(did you mean 'CIFAR7_V1'\?\)"),
     ("default", ValueError, r"Unknown weights 'default'.*\(did you mean 'DEFAULT'\?\)"),
     (SmallResNetWeights, TypeError, r"weights is the class SmallResNetWeights, not a member of it"),
     (True, TypeError, r"weights must be None, .*got True \(torchvision's old pretrained=True is "
                       r"weights=\"DEFAULT\"\)")],
    ids=["typo", "lower case", "the class", "pretrained=True"],
)  # fmt: skip
def test_small_resnet_weights_refused(weights, error, match):
    with pytest.raises(error, match=match):
        small_resnet(weights=weights)


# ---------------------------------------------------------------- load_checkpoint
@pytest.mark.parametrize(
    ("path", "error", "match"),
    [(3, TypeError, r"path must be a file path \(a str or a pathlib\.Path\), got int"),
     (None, TypeError, r"path must be a file path .*got None,"),
     (nn.Linear(1, 1), TypeError, r"path must be a file path .*got Linear: .*torch\.save\(model\.state_dict\(\)"),
     (WEIGHTS, TypeError, r"got SmallResNetWeights: .*SmallResNetWeights\.CIFAR7_V1\.get_state_dict\(\)"),
     ("CIFAR7_V1", CheckpointError, r"The checkpoint CIFAR7_V1 does not exist.*"
                                    r"SmallResNetWeights\.CIFAR7_V1\.get_state_dict\(\)")],
    ids=["int", "None", "a model", "weights", "a weights name"],
)  # fmt: skip
def test_load_checkpoint_refuses_paths(path, error, match):
    with pytest.raises(error, match=match):
        load_checkpoint(path)


def test_load_checkpoint_refuses_a_folder(tmp_path):
    torch.save(nn.Linear(1, 1).state_dict(), tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match=r"is a folder, not a file: give a file in it, e.g. .*model\.pt"):
        load_checkpoint(tmp_path)


@pytest.mark.parametrize(("content"), [b"weights, as text\n", bytes(range(256)) * 4], ids=["text", "garbage"])
def test_load_checkpoint_refuses_a_file_that_is_not_a_checkpoint(tmp_path, content):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=r"model\.pt is not a PyTorch checkpoint or is truncated"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("sha256", "error", "match"),
    [(123, TypeError, r"sha256 must be a str of 64 hexadecimal digits or None, got int"),
     (b"a1f9", TypeError, r"sha256 must be a str .*got bytes"),
     ("a1f916b7", ValueError, r"sha256='a1f916b7' is not a SHA-256: give its 64 hexadecimal digits"),
     ("z" * 64, ValueError, r"sha256='z{64}' is not a SHA-256")],
    ids=["int", "bytes", "short", "not hex"],
)  # fmt: skip
def test_load_checkpoint_refuses_bad_checksums(sha256, error, match):
    with pytest.raises(error, match=match):
        load_checkpoint(WEIGHTS.path, sha256)


def test_an_upper_case_checksum_is_the_same_checksum():
    assert sorted(load_checkpoint(WEIGHTS.path, WEIGHTS.value.sha256.upper())) == sorted(WEIGHTS.get_state_dict())


def test_the_checksum_message_is_unchanged(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(1, 1).state_dict(), path)
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(path, WEIGHTS.value.sha256)
    assert re.fullmatch(rf"{re.escape(str(path))} is damaged or was replaced: its SHA-256 is [0-9a-f]{{16}}…, not the "
                        rf"expected {WEIGHTS.value.sha256[:16]}…\. Check that it is the file you meant, and save it "
                        r"again with torch\.save\(model\.state_dict\(\), path\)\.", str(caught.value))  # fmt: skip


# ---------------------------------------------------------------- Preprocess
PREPROCESS = Preprocess(MEAN, STD)


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.zeros((32, 32, 3), np.uint8), TypeError, r"image must be a PIL image or a tensor, got an ndarray: .*"
                                                     r"torch\.from_numpy\(image\)\.permute\(2, 0, 1\)"),
        (torch.zeros(32, 32, 3, dtype=torch.uint8), ValueError, r"image must be a colour image \[3, H, W\].*"
                                                                r"channels-last: use image\.permute\(2, 0, 1\)"),
        (torch.zeros(2, 32, 32, 3, dtype=torch.uint8), ValueError, r"channels-last: use image\.permute\(0, 3, 1, 2\)"),
        (torch.full((3, 32, 32), 255.0), ValueError, r"image holds floats all 255, not from 0 to 1: divide"),
        (torch.full((3, 32, 32), -2.0), ValueError, r"image holds floats all -2, not from 0 to 1.*normalised already"),
        (torch.full((3, 32, 32), 255), TypeError, r"image holds torch\.int64 values: give uint8 pixels"),
        (torch.zeros(3, 32, 32, dtype=torch.bool), TypeError, r"image holds torch\.bool values"),
        (Image.new("L", (32, 32)), ValueError, r"image must be a colour image .*got shape \[1, 32, 32\].*"
                                               r"image\.convert\('RGB'\)"),
    ],
    ids=["numpy", "channels-last", "channels-last batch", "floats 0-255", "normalised", "int64", "bool", "grey PIL"],
)  # fmt: skip
def test_preprocess_refuses_images(image, error, match):
    with pytest.raises(error, match=match):
        PREPROCESS(image)


def test_preprocess_still_takes_a_little_overshoot():
    assert PREPROCESS(torch.full((3, 32, 32), 1.02)).shape == (3, 32, 32)  # bicubic resampling can overshoot


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"mean": (0.5,)}, ValueError, r"mean has 1 values, \(0\.5,\): give 3, one per colour channel"),
     ({"mean": "imagenet"}, TypeError, r"mean must be 3 numbers, one per colour channel, got 'imagenet'"),
     ({"mean": 0.5}, TypeError, r"mean must be 3 numbers"),
     ({"mean": (0.5, "0.5", 0.5)}, TypeError, r"mean\[1\] must be a number, got '0\.5'"),
     ({"mean": (125, 123, 114)}, ValueError, r"mean=\(125, 123, 114\) is not on the scale of \[0, 1\] pixels"),
     ({"std": (0, 0.25, 0.25)}, ValueError, r"std=\(0, 0\.25, 0\.25\) holds a value that is not positive"),
     ({"std": (63, 62, 66)}, ValueError, r"std=\(63, 62, 66\) is not on the scale"),
     ({"size": 0}, ValueError, r"size=0 is too small: give at least 1"),
     ({"size": 32.0}, TypeError, r"size must be a whole number, got 32\.0")],
    ids=["mean 1 value", "mean str", "mean scalar", "mean item str", "mean 0-255", "std 0", "std 0-255", "size 0",
         "size float"],
)  # fmt: skip
def test_preprocess_refuses_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        Preprocess(**{"mean": MEAN, "std": STD} | kwargs)


# ---------------------------------------------------------------- init_signature
def test_init_signature_decorates_classes_only():
    with pytest.raises(TypeError, match=r"init_signature decorates a class, got <function"):
        init_signature(lambda: None)


# ---------------------------------------------------------------- round 2: ConvolutionExplorer kernel names
def test_convolution_explorer_refuses_a_kernel_named_custom(drawn):
    with pytest.raises(ValueError, match=r"kernels has a kernel named 'custom', the name the kernel menu keeps"):
        ConvolutionExplorer({"a": IMAGE}, kernels={"custom": torch.ones(3, 3)})
    assert drawn == []
    explorer = ConvolutionExplorer({"a": IMAGE}, kernels={"my kernel": torch.ones(3, 3)})
    assert list(explorer.preset.options) == ["my kernel", "custom"]  # each name once
