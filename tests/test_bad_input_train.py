"""Bad input to ainotes.train (fit, evaluate, predict, lr_range_test, the small helpers), ainotes.device and
ainotes.model_summary: a clear TypeError or ValueError naming the argument, before any training."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

import ainotes.train.loop as loop
from ainotes.device import DEVICE_ENV, get_device
from ainotes.model_summary import readable_units
from ainotes.train import (
    History,
    LRRangeResult,
    NonFiniteLossError,
    count_parameters,
    evaluate,
    fit,
    lr_range_test,
    plot_lr_range,
    predict,
    seed_everything,
    summary,
)

QUIET = dict(progress=False, verbose=False)


def pairs(n=16, features=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, features, generator=g), torch.randint(0, 2, (n,), generator=g)


def images(n=8, channels=1, size=4):
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, channels, size, size, generator=g), torch.randint(0, 2, (n,), generator=g)


def convnet(channels=1):
    return nn.Sequential(nn.Conv2d(channels, 2, 3), nn.Flatten(), nn.Linear(8, 2))


class PairModel(nn.Module):
    """Returns (scores, features): a tuple instead of the scores."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self.fc(x), x


class Detached(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self.fc(x).detach()


class PILImages(Dataset):
    """A torchvision-like data set created without transform=ToTensor()."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        from PIL import Image

        return Image.fromarray(np.zeros((4, 4), dtype=np.uint8)), 0


class ImagesOnly(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return torch.zeros(2)


class FloatLabels(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return torch.zeros(2), 1.0


def snapshot(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


# --------------------------------------------------------------------------------------------
# fit: data
# --------------------------------------------------------------------------------------------
x2, y2 = pairs()
ximg, yimg = images()

BAD_DATA = [
    ("float labels", lambda: (x2, y2.float()), TypeError, r"labels of train_data hold torch.float32.*y\.long\(\)"),
    ("one-hot float labels", lambda: (x2, F.one_hot(y2).float()), TypeError, r"train_data.*y\.argmax\(1\)"),
    (
        "one-hot long labels",
        lambda: (x2, F.one_hot(y2)),
        ValueError,
        r"labels of train_data have shape \(16, 2\).*argmax",
    ),
    ("label column", lambda: (x2, y2[:, None]), ValueError, r"labels of train_data have shape \(16, 1\).*squeeze\(1\)"),
    ("bool labels", lambda: (x2, y2.bool()), TypeError, r"labels of train_data are True/False.*y\.long\(\)"),
    ("numpy arrays", lambda: (x2.numpy(), y2.numpy()), TypeError, r"train_data.*torch\.from_numpy"),
    ("lists", lambda: (x2.tolist(), y2), TypeError, r"train_data.*pair of \(list, Tensor\).*torch\.tensor"),
    ("single tensor", lambda: x2, TypeError, r"train_data.*single tensor.*give the labels too"),
    ("three tensors", lambda: (x2, y2, y2), TypeError, r"train_data.*tuple of 3 items"),
    ("0-d images", lambda: (torch.tensor(1.0), torch.tensor(1)), ValueError, r"images of train_data are a single"),
    ("PIL images", PILImages, TypeError, r"train_data gives PIL images.*transform=ToTensor\(\)"),
    ("items not pairs", ImagesOnly, TypeError, r"items of train_data must be \(image, label\) pairs"),
    ("float labels in a Dataset", FloatLabels, TypeError, r"labels of train_data hold torch.float32"),
]


@pytest.mark.parametrize("make, error, match", [case[1:] for case in BAD_DATA], ids=[case[0] for case in BAD_DATA])
def test_fit_refuses_bad_training_data(make, error, match):
    model = nn.Linear(2, 2)
    before = snapshot(model)
    with pytest.raises(error, match=match):
        fit(model, make(), **QUIET)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # refused before any step


@pytest.mark.parametrize(
    "images_of, match",
    [
        (lambda x: (x * 255).to(torch.uint8), r"inputs of train_data are torch\.uint8.*x\.float\(\) / 255"),
        (lambda x: (x * 255).long(), r"inputs of train_data are torch\.int64.*x\.float\(\)"),
        (lambda x: x.double(), r"inputs of train_data are torch\.float64.*weights are torch\.float32"),
    ],
    ids=["uint8", "int64", "float64"],
)
def test_fit_refuses_images_that_are_not_float32(images_of, match):
    with pytest.raises(TypeError, match=match):
        fit(convnet(), (images_of(ximg), yimg), **QUIET)


@pytest.mark.parametrize("dtype", [torch.int8, torch.int16, torch.int32, torch.uint8])
def test_fit_accepts_small_integer_labels_as_int64(dtype):
    runs = []
    for labels in (yimg, yimg.to(dtype)):
        seed_everything(0)
        runs.append(fit(convnet(), (ximg, labels), (ximg, labels), epochs=2, batch_size=4, **QUIET))
    assert runs[0].train_loss == runs[1].train_loss and runs[0].valid_acc == runs[1].valid_acc


def test_fit_refuses_empty_validation_data_before_training():
    model = nn.Linear(2, 2)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"valid_data is empty"):
        fit(model, (x2, y2), (x2[:0], y2[:0]), **QUIET)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_fit_refuses_validation_images_prepared_differently():
    with pytest.raises(TypeError, match=r"train_data are torch\.float32 .* valid_data torch\.uint8"):
        fit(convnet(), (ximg, yimg), ((ximg * 255).to(torch.uint8), yimg), **QUIET)


def test_fit_refuses_float_validation_labels_before_training():
    with pytest.raises(TypeError, match=r"labels of valid_data hold torch\.float32"):
        fit(nn.Linear(2, 2), (x2, y2), (x2, y2.float()), **QUIET)


def test_fit_explains_settings_given_as_the_validation_data():
    with pytest.raises(TypeError, match=r"valid_data.*got 5: settings such as epochs are keyword arguments"):
        fit(nn.Linear(2, 2), (x2, y2), 5, **QUIET)


# --------------------------------------------------------------------------------------------
# fit: the model's output
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model, data, error, match",
    [
        (PairModel(), (x2, y2), TypeError, r"model returned a tuple of 2 items, not a tensor"),
        (nn.Sequential(nn.Linear(2, 1), nn.Flatten(0)), (x2, y2), ValueError, r"output has shape \(16,\).*one score"),
        (convnet(), (ximg[:, 0], yimg), ValueError, r"inputs of train_data have shape \(8, 4, 4\).*x\.unsqueeze\(1\)"),
        (convnet(3), (ximg.expand(-1, 3, -1, -1).permute(0, 2, 3, 1), yimg), ValueError, r"permute\(0, 3, 1, 2\)"),
    ],
    ids=["tuple", "one value per input", "grey without channel", "channels last"],
)
def test_fit_refuses_outputs_that_are_not_class_scores(model, data, error, match):
    with pytest.raises(error, match=match):
        fit(model, data, **QUIET)


# --------------------------------------------------------------------------------------------
# fit: settings
# --------------------------------------------------------------------------------------------
class NotAnOptimizer:
    def __init__(self, params, lr):
        pass


BAD_SETTINGS = [
    ("lr str", dict(lr="0.01"), TypeError, r"lr must be a number, got '0.01'"),
    ("lr zero", dict(lr=0), ValueError, r"lr=0 is impossible"),
    ("lr negative", dict(lr=-1e-3), ValueError, r"lr=-0.001 is impossible"),
    ("lr inf", dict(lr=math.inf), ValueError, r"lr=inf is not a finite number"),
    ("lr nan", dict(lr=math.nan), ValueError, r"lr=nan is not a finite number"),
    ("lr bool", dict(lr=True), TypeError, r"lr must be a number"),
    ("epochs float", dict(epochs=2.0), TypeError, r"epochs must be a whole number, got 2\.0"),
    ("epochs str", dict(epochs="3"), TypeError, r"epochs must be a whole number, got '3'"),
    ("epochs zero", dict(epochs=0), ValueError, r"epochs=0 is too small"),
    ("batch_size zero", dict(batch_size=0), ValueError, r"batch_size=0 is too small"),
    ("batch_size negative", dict(batch_size=-8), ValueError, r"batch_size=-8 is too small"),
    ("batch_size str", dict(batch_size="64"), TypeError, r"batch_size must be a whole number, got '64'"),
    ("batch_size float", dict(batch_size=8.0), TypeError, r"batch_size must be a whole number"),
    ("progress str", dict(progress="False"), TypeError, r"progress must be True or False, got 'False'"),
    ("verbose str", dict(verbose="False"), TypeError, r"verbose must be True or False, got 'False'"),
    ("one_cycle str", dict(one_cycle="False"), TypeError, r"one_cycle must be True or False"),
    ("one_cycle int", dict(one_cycle=1), TypeError, r"one_cycle must be True or False"),
    ("device gpu", dict(device="gpu"), ValueError, r"device='gpu' is not a known device name.*'cuda'"),
    ("device empty", dict(device=""), ValueError, r"device='' is not a known device name"),
    ("device cuda:x", dict(device="cuda:x"), ValueError, r"device='cuda:x'.*'cuda:0'"),
    ("device float", dict(device=1.5), TypeError, r"device must be a device name.*got 1\.5 \(float\)"),
    ("device list", dict(device=["cpu"]), TypeError, r"device must be a device name.*\(list\)"),
    ("device negative", dict(device=-1), ValueError, r"device=-1 is not a GPU index"),
    ("loss_fn str", dict(loss_fn="cross_entropy"), TypeError, r"loss_fn must be callable.*'cross_entropy'"),
    ("loss_fn class", dict(loss_fn=nn.CrossEntropyLoss), TypeError, r"loss_fn must be a loss, got the class"),
    ("optimizer str", dict(optimizer="adam"), TypeError, r"optimizer must be None.*torch\.optim\.Adam"),
    (
        "optimizer not a class of one",
        dict(optimizer=nn.CrossEntropyLoss),
        TypeError,
        r"optimizer=CrossEntropyLoss is not",
    ),
    ("optimizer factory", dict(optimizer=NotAnOptimizer), TypeError, r"optimizer=NotAnOptimizer is not"),
    (
        "optimizer lambda",
        dict(optimizer=lambda p, lr: None),
        TypeError,
        r"optimizer returned None, not a torch\.optim\.Optimizer",
    ),
]


@pytest.mark.parametrize("kwargs, error, match", [c[1:] for c in BAD_SETTINGS], ids=[c[0] for c in BAD_SETTINGS])
def test_fit_refuses_bad_settings(kwargs, error, match):
    model = nn.Linear(2, 2)
    before = snapshot(model)
    with pytest.raises(error, match=match):
        fit(model, (x2, y2), **{**QUIET, **kwargs})
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_fit_refuses_one_cycle_over_too_few_steps():
    with pytest.raises(ValueError, match=r"one_cycle=True needs at least 4 steps.*got 2"):
        fit(nn.Linear(2, 2), (x2, y2), epochs=2, batch_size=16, one_cycle=True, **QUIET)


def test_fit_leaves_items_to_a_collate_fn_of_ones_own():
    from torch.utils.data import DataLoader

    def collate(items):  # converts the PIL images itself
        return torch.zeros(len(items), 16), torch.zeros(len(items), dtype=torch.long)

    assert fit(nn.Linear(16, 2), DataLoader(PILImages(), batch_size=2, collate_fn=collate), **QUIET).epochs == 1


def test_fit_refuses_a_model_class():
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module, got the class Linear"):
        fit(nn.Linear, (x2, y2), **QUIET)


def test_fit_refuses_an_optimizer_of_another_model():
    model = nn.Linear(2, 2)
    old = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)  # built before the model was created again
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"optimizer holds none of the model's parameters"):
        fit(model, (x2, y2), optimizer=old, **QUIET)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_fit_refuses_a_model_with_nothing_to_train():
    model = nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(
        ValueError, match=r"model \(Linear\) has no trainable parameters.*layer\.requires_grad_\(True\)"
    ):
        fit(model, (x2, y2), **QUIET)


def test_evaluate_takes_device_names_as_fit_does():
    assert 0 <= evaluate(nn.Linear(2, 2), (x2, y2), device=" CPU ").accuracy <= 1


def test_fit_refuses_a_gpu_index_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match=r"'cuda:0' was asked for, but PyTorch sees no CUDA GPU"):
        fit(nn.Linear(2, 2), (x2, y2), device=0, **QUIET)


# --------------------------------------------------------------------------------------------
# fit: the loss function
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model, loss_fn, error, match",
    [
        (nn.Linear(2, 2), nn.MSELoss(), ValueError, r"loss_fn=MSELoss\(\) does not fit.*nn\.CrossEntropyLoss\(\)"),
        (nn.Linear(2, 2), nn.CrossEntropyLoss(reduction="none"), ValueError, r"loss of shape \(16,\).*reduction="),
        (nn.Linear(2, 2), lambda out, y: F.cross_entropy(out, y).item(), TypeError, r"returned a float, not a tensor"),
        (
            nn.Linear(2, 2),
            lambda out: out.sum(),
            ValueError,
            r"loss_fn=<lambda> does not fit the first batch.*called as loss_fn\(outputs, labels\)",
        ),
        (Detached(), None, ValueError, r"loss does not depend on the model's parameters"),
    ],
    ids=["MSE on class scores", "reduction none", "float", "one argument", "detached"],
)
@pytest.mark.filterwarnings("ignore:Using a target size")  # MSELoss's own warning, before the error
def test_fit_refuses_a_loss_that_does_not_fit(model, loss_fn, error, match):
    with pytest.raises(error, match=match):
        fit(model, (x2, y2), loss_fn=loss_fn, **QUIET)


# --------------------------------------------------------------------------------------------
# fit: a loss that stops being finite
# --------------------------------------------------------------------------------------------
def nan_at(call):
    """Cross-entropy, except nan at the call-th call (1-based)."""
    calls = []

    def loss_fn(out, y):
        calls.append(1)
        loss = F.cross_entropy(out, y)
        return loss * math.nan if len(calls) == call else loss

    return loss_fn, calls


def test_fit_stops_at_the_first_non_finite_loss_and_names_the_step():
    loss_fn, calls = nan_at(7)  # epoch 2 (4 steps an epoch), step 3
    with pytest.raises(NonFiniteLossError, match=r"loss was nan at epoch 2, step 3 of 4.*learning rate too high"):
        fit(nn.Linear(2, 2), (x2, y2), epochs=5, batch_size=4, loss_fn=loss_fn, **QUIET)
    assert len(calls) == 7  # stopped at once, not after the remaining epochs


def test_fit_finds_the_step_between_checks(monkeypatch):
    monkeypatch.setattr(loop, "_check_interval", lambda device: 3)  # as on a GPU, where checks are spaced out
    loss_fn, calls = nan_at(6)
    with pytest.raises(NonFiniteLossError, match=r"loss was nan at epoch 2, step 2 of 4"):
        fit(nn.Linear(2, 2), (x2, y2), epochs=5, batch_size=4, loss_fn=loss_fn, **QUIET)
    assert len(calls) <= 8  # at most until the next check or the end of the epoch


def test_fit_stops_when_a_huge_learning_rate_blows_the_loss_up():
    seed_everything(0)
    x, y = pairs(64)
    with pytest.raises(ValueError, match=r"The training loss was (nan|inf) at epoch \d+, step \d+ of 4.*lr=1e\+30"):
        fit(nn.Linear(2, 2), (x * 1e20, y), epochs=20, lr=1e30, batch_size=16, optimizer=torch.optim.SGD, **QUIET)


# --------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------
BAD_EVALUATE = [
    ("not a module", dict(model=lambda t: t), TypeError, r"model must be a torch\.nn\.Module.*model = make_model\(\)"),
    ("batch_size zero", dict(batch_size=0), ValueError, r"batch_size=0 is too small"),
    ("batch_size float", dict(batch_size=2.5), TypeError, r"batch_size must be a whole number"),
    ("float labels", dict(data=(x2, y2.float())), TypeError, r"labels of data hold torch\.float32.*y\.long\(\)"),
    ("one-hot labels", dict(data=(x2, F.one_hot(y2).float())), TypeError, r"labels of data.*argmax\(1\)"),
    ("empty", dict(data=(x2[:0], y2[:0])), ValueError, r"data is empty: there is nothing to evaluate"),
    ("device gpu", dict(device="gpu"), ValueError, r"device='gpu' is not a known device name"),
    ("loss_fn str", dict(loss_fn="ce"), TypeError, r"loss_fn must be callable"),
    (
        "loss_fn MSE",
        dict(loss_fn=nn.MSELoss()),
        ValueError,
        r"loss_fn=MSELoss\(\) does not fit the first batch of data",
    ),
    ("tuple output", dict(model=PairModel()), TypeError, r"model returned a tuple"),
    ("PIL images", dict(data=PILImages()), TypeError, r"data gives PIL images.*ToTensor"),
]


@pytest.mark.parametrize("kwargs, error, match", [c[1:] for c in BAD_EVALUATE], ids=[c[0] for c in BAD_EVALUATE])
@pytest.mark.filterwarnings("ignore:Using a target size")  # MSELoss's own warning, before the error
def test_evaluate_refuses_bad_input(kwargs, error, match):
    arguments = dict(model=nn.Linear(2, 2), data=(x2, y2)) | kwargs
    with pytest.raises(error, match=match):
        evaluate(arguments.pop("model"), arguments.pop("data"), **arguments)


def test_evaluate_refuses_uint8_images():
    with pytest.raises(TypeError, match=r"inputs of data are torch\.uint8.*x\.float\(\) / 255"):
        evaluate(convnet(), ((ximg * 255).to(torch.uint8), yimg))


# --------------------------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------------------------
BAD_PREDICT = [
    ("not a module", dict(model=lambda t: t), TypeError, r"model must be a torch\.nn\.Module.*model = make_model\(\)"),
    ("batch_size zero", dict(batch_size=0), ValueError, r"batch_size=0 is too small"),
    ("batch_size negative", dict(batch_size=-1), ValueError, r"batch_size=-1 is too small"),
    ("batch_size str", dict(batch_size="8"), TypeError, r"batch_size must be a whole number"),
    ("grey images without channel", dict(data=ximg[:, 0]), ValueError, r"data have shape \(8, 4, 4\).*unsqueeze\(1\)"),
    ("one image", dict(data=ximg[0]), ValueError, r"data have shape \(1, 4, 4\).*x\.unsqueeze\(0\)"),
    ("uint8", dict(data=(ximg * 255).to(torch.uint8)), TypeError, r"torch\.uint8.*x\.float\(\) / 255"),
    ("feature map", dict(model=nn.Conv2d(1, 2, 3)), ValueError, r"output has shape \(8, 2, 2, 2\).*\(batch, classes\)"),
    ("tuple output", dict(model=PairModel(), data=x2), TypeError, r"model returned a tuple"),
    ("empty", dict(data=ximg[:0]), ValueError, r"data is empty"),
    ("numpy", dict(data=ximg.numpy()), TypeError, r"data is a NumPy array.*predict\(model, torch\.from_numpy\(x\)\)"),
    ("single number", dict(data=torch.tensor(1.0)), ValueError, r"data is a single number"),
]


@pytest.mark.parametrize("kwargs, error, match", [c[1:] for c in BAD_PREDICT], ids=[c[0] for c in BAD_PREDICT])
def test_predict_refuses_bad_input(kwargs, error, match):
    arguments = dict(model=convnet(), data=ximg) | kwargs
    with pytest.raises(error, match=match):
        predict(arguments.pop("model"), arguments.pop("data"), **arguments)


# --------------------------------------------------------------------------------------------
# lr_range_test
# --------------------------------------------------------------------------------------------
BAD_RANGE = [
    ("float labels", dict(train_data=(x2, y2.float())), TypeError, r"labels of train_data hold torch\.float32"),
    ("uint8 images", dict(model=convnet(), train_data=((ximg * 255).to(torch.uint8), yimg)), TypeError,
     r"x\.float\(\) / 255"),
    ("MSE loss", dict(loss_fn=nn.MSELoss()), ValueError, r"loss_fn=MSELoss\(\) does not fit.*CrossEntropyLoss"),
    ("loss_fn str", dict(loss_fn="ce"), TypeError, r"loss_fn must be callable"),
    ("device gpu", dict(device="gpu"), ValueError, r"device='gpu' is not a known device name"),
    ("device float", dict(device=0.0), TypeError, r"device must be a device name"),
    ("other model's optimizer", dict(optimizer=torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)), ValueError,
     r"optimizer holds none of the model's parameters"),
    ("tuple output", dict(model=PairModel()), TypeError, r"model returned a tuple"),
    ("model class", dict(model=nn.Linear), TypeError, r"got the class Linear"),
]  # fmt: skip


@pytest.mark.parametrize("kwargs, error, match", [c[1:] for c in BAD_RANGE], ids=[c[0] for c in BAD_RANGE])
@pytest.mark.filterwarnings("ignore:Using a target size")  # MSELoss's own warning, before the error
def test_lr_range_test_refuses_bad_input(kwargs, error, match):
    arguments = dict(model=nn.Linear(2, 2), train_data=(x2, y2), steps=3) | kwargs
    model = arguments["model"]
    before = snapshot(model) if isinstance(model, nn.Module) else None
    with pytest.raises(error, match=match):
        lr_range_test(arguments.pop("model"), arguments.pop("train_data"), **arguments)
    if before is not None:
        assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_plot_lr_range_refuses_an_array_of_axes():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    result = LRRangeResult([1e-3, 1e-2], [2.3, 1.9], [2.3, 2.0], 1e-2, 1e-3, False)
    try:
        with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes, got ndarray: pick one, e.g. axes\[0\]"):
            plot_lr_range(result, ax=axes)
    finally:
        plt.close(fig)


# --------------------------------------------------------------------------------------------
# get_device
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, error, match",
    [
        (1.5, TypeError, r"name must be a device name.*got 1\.5 \(float\)"),
        (["cuda"], TypeError, r"name must be a device name.*\(list\)"),
        (True, TypeError, r"name must be a device name.*True \(bool\)"),
        ("", ValueError, r"name='' is not a known device name"),
        ("gpu", ValueError, r"name='gpu' is not a known device name.*write 'cuda'"),
        ("cuda:-1", ValueError, r"name='cuda:-1'.*whole number from 0"),
        (-1, ValueError, r"name=-1 is not a GPU index"),
    ],
    ids=["float", "list", "bool", "empty", "gpu", "negative index in a name", "negative index"],
)
def test_get_device_refuses_nonsense(name, error, match):
    with pytest.raises(error, match=match):
        get_device(name, verbose=False)


def test_get_device_takes_a_device_or_a_gpu_index(monkeypatch):
    assert get_device(torch.device("cpu"), verbose=False) == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert get_device(0, verbose=False) == torch.device("cuda:0")
    assert get_device(np.int64(1), verbose=False) == torch.device("cuda:1")
    with pytest.raises(RuntimeError, match=r"only 2"):
        get_device(2, verbose=False)


def test_get_device_index_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match=r"'cuda:0' was asked for, but PyTorch sees no CUDA GPU"):
        get_device(0, verbose=False)


def test_get_device_refuses_a_string_flag():
    with pytest.raises(TypeError, match=r"verbose must be True or False, got 'False'"):
        get_device("cpu", verbose="False")


def test_get_device_names_the_environment_variable(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV, "gpu")
    with pytest.raises(ValueError, match=rf"{DEVICE_ENV}='gpu' is not a known device name.*unset it"):
        get_device(verbose=False)


# --------------------------------------------------------------------------------------------
# count_parameters, seed_everything
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, error, match",
    [
        (("model",), TypeError, r"model must be a torch\.nn\.Module, got 'model' \(str\)"),
        ((nn.Linear,), TypeError, r"model must be a torch\.nn\.Module, got the class Linear"),
        ((nn.Linear(2, 2).parameters(),), TypeError, r"model.*the model itself, not its parameters"),
        ((nn.Linear(2, 2), "False"), TypeError, r"trainable_only must be True or False"),
    ],
    ids=["str", "class", "parameters", "flag str"],
)
def test_count_parameters_refuses_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        count_parameters(*args)


@pytest.mark.parametrize(
    "seed, error, match",
    [
        ("0", TypeError, r"seed must be a whole number, got '0'"),
        (2.5, TypeError, r"seed must be a whole number, got 2\.5"),
        (True, TypeError, r"seed must be a whole number"),
        (-1, ValueError, r"seed=-1 is too small: give at least 0"),
        (2**32, ValueError, r"seed=4294967296 is too large"),
    ],
    ids=["str", "float", "bool", "negative", "too large"],
)
def test_seed_everything_refuses_bad_seeds(seed, error, match):
    with pytest.raises(error, match=match):
        seed_everything(seed)


def test_seed_everything_accepts_numpy_integers():
    assert seed_everything(np.int64(3)) == 3


# --------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model, input_size, kwargs, error, match",
    [
        (convnet(), 4, {}, TypeError, r"input_size must be a tuple of whole numbers.*got 4 \(int\)"),
        (convnet(), "1, 1, 4, 4", {}, TypeError, r"input_size must be a tuple.*\(str\)"),
        (convnet(), (1, -1, 4, 4), {}, ValueError, r"input_size=\(1, -1, 4, 4\) holds the size -1"),
        (convnet(), (0, 1, 4, 4), {}, ValueError, r"input_size=\(0, 1, 4, 4\) holds the size 0"),
        (convnet(), (1, 1, 4.0, 4), {}, TypeError, r"input_size=.*must hold whole numbers, got 4\.0"),
        (convnet(), (1, 4, 4), {}, ValueError, r"input_size=\(1, 4, 4\) has 3 dimensions.*\(1, 1, 28, 28\)"),
        (convnet(), torch.zeros(1, 1, 4, 4), {}, TypeError, r"input_size must be a shape, not a tensor.*input_data"),
        (nn.Linear, (1, 2), {}, TypeError, r"model must be a torch\.nn\.Module, got the class Linear"),
        (convnet(), (1, 1, 4, 4), {"colnames": ("num_params",)}, TypeError, r"colnames=.*did you mean 'col_names'"),
    ],
    ids=["int", "words", "negative", "zero", "float", "no batch", "tensor", "class", "option typo"],
)
def test_summary_refuses_bad_input(model, input_size, kwargs, error, match):
    with pytest.raises(error, match=match):
        summary(model, input_size, **kwargs)


def test_readable_units_refuses_the_summary_object_itself():
    with pytest.raises(TypeError, match=r"text must be a str, got int.*readable_units\(str\(stats\)\)"):
        readable_units(3)


# --------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------
def two_epochs():
    return History(train_loss=[0.9, 0.5], train_acc=[0.6, 0.8], epoch_seconds=[1.0, 1.0])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda h: h.epoch_line("0"), TypeError, r"epoch must be a whole number, got '0'"),
        (lambda h: h.epoch_line(1.0), TypeError, r"epoch must be a whole number"),
        (lambda h: h.epoch_line(2), ValueError, r"epoch=2 is too large: give at most 1"),
        (lambda h: h.epoch_line(-1), ValueError, r"epoch=-1 is too small"),
        (lambda h: h.epoch_line(0, "3"), TypeError, r"total must be a whole number"),
        (lambda h: h.epoch_line(1, 1), ValueError, r"total=1 is too small: give at least 2"),
        (lambda h: History().epoch_line(0), ValueError, r"no epochs recorded"),
        (lambda h: str(History(train_loss=[0.9], train_acc=[], epoch_seconds=[1.0])), ValueError, r"0 train_acc"),
        (lambda h: History(train_loss=0.9), TypeError, r"train_loss must be a list of numbers.*0\.9 \(float\)"),
    ],
    ids=[
        "epoch str",
        "epoch float",
        "epoch too large",
        "epoch negative",
        "total str",
        "total too small",
        "empty",
        "lengths differ",
        "number instead of list",
    ],  # fmt: skip
)
def test_history_refuses_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(two_epochs())


# ---------------------------------------------------------------- round 2: cases found by an independent probe
def nan_model():
    model = nn.Linear(2, 3)
    with torch.no_grad():
        model.weight.fill_(float("nan"))
    return model


def bn_data(n=65):
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 4, generator=g), torch.randint(0, 3, (n,), generator=g)


def bn_model():
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))


ROUND2 = [
    (lambda: predict(nn.Linear(2, 1), pairs()[0]), ValueError, r"1 score per input of data.*one per class"),
    (lambda: fit(nn.Linear(2, 1), (pairs()[0], torch.zeros(16, dtype=torch.long)), **QUIET), ValueError,
     r"1 score per input of train_data"),
    (lambda: evaluate(nn.Linear(2, 1), (pairs()[0], torch.zeros(16, dtype=torch.long))), ValueError,
     r"1 score per input of data"),
    (lambda: predict(nan_model(), pairs()[0]), ValueError, r"outputs on data are not finite.*weights.*diverged"),
    (lambda: evaluate(nan_model(), pairs()), ValueError, r"outputs on data are not finite.*lower learning rate"),
    (lambda: predict(nn.Linear(2, 3), [torch.rand(2), torch.rand(2)]), ValueError,
     r"data is a list of 2 tensors.*torch\.stack\(images\)"),
    (lambda: predict(nn.Linear(2, 3), [torch.rand(4, 2), torch.rand(4, 2)]), ValueError,
     r"data is a list of 2 tensors of shape \(4, 2\)"),
    (lambda: predict(nn.Linear(2, 3), (torch.rand(2), torch.rand(2), torch.rand(2))), ValueError,
     r"data is a tuple of 3 tensors"),
    (lambda: fit(nn.Linear(2, 2), pairs(), optimizer=nn.CrossEntropyLoss(), **QUIET), TypeError,
     r"optimizer=CrossEntropyLoss\(\) is a loss.*loss_fn=CrossEntropyLoss\(\)"),
    (lambda: fit(nn.Linear(2, 2), pairs(), optimizer=nn.Linear(2, 2), **QUIET), TypeError,
     r"optimizer is a Linear.*torch\.optim\.Adam"),
    (lambda: fit(nn.Linear(2, 2), pairs(), optimizer=F.cross_entropy, **QUIET), TypeError,
     r"optimizer=cross_entropy could not be called.*loss_fn="),
    (lambda: fit(bn_model(), bn_data(), batch_size=64, **QUIET), ValueError,
     r"last batch of train_data holds a single image \(65 images in batches of 64\).*BatchNorm1d.*batch_size=63 or "
     r"65.*x\[:-1\]"),
    (lambda: fit(bn_model(), torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*bn_data()), batch_size=32),
                 **QUIET), ValueError, r"batch_size=31 or 33.*drop_last=True"),
    (lambda: fit(bn_model(), bn_data(1), **QUIET), ValueError, r"train_data holds a single image.*at least 2"),
    (lambda: fit(nn.Linear(2, 2), pairs(), lr=[], **QUIET), ValueError, r"lr=\[\] is empty.*lr=1e-3"),
    (lambda: count_parameters(nn.LazyLinear(3)), ValueError, r"model has lazy layers.*first forward pass"),
    (lambda: summary(nn.Linear(4, 3), (1, 4), col_names=("params",)), ValueError,
     r"col_names\[0\]='params' is not known.*did you mean 'num_params'"),
    (lambda: summary(nn.Linear(4, 3), (1, 4), col_names="n_params"), ValueError, r"col_names='n_params' is not known"),
    (lambda: summary(nn.Linear(4, 3), (1, 4), col_names=3), TypeError, r"col_names must be a tuple of names"),
    (lambda: summary(nn.Linear(4, 3), (1, 4), row_settings=("names",)), ValueError, r"row_settings\[0\]='names'"),
    (lambda: summary(nn.Linear(4, 3), (1, 4), verbose=5), ValueError, r"verbose=5 is too large: give at most 2"),
    (lambda: summary(nn.Linear(4, 3), (1, 4), depth=-1), ValueError, r"depth=-1 is too small"),
    (lambda: summary(nn.Linear(4, 3), (1, 4), device="gpu"), ValueError, r"device='gpu' is not a known device name"),
    (lambda: fit(nn.Linear(2, 2), pairs(), device=torch.device("meta"), **QUIET), ValueError,
     r"device=torch\.device\('meta'\) is the 'meta' device"),
    (lambda: get_device(torch.device("meta"), verbose=False), ValueError, r"name=torch\.device\('meta'\)"),
    (lambda: fit(nn.Linear(2, 2, device="meta"), pairs(), **QUIET), ValueError, r"model's parameters are on the 'meta'"),
    (lambda: fit(nn.Linear(2, 2), pairs(), loss_fn=nn.NLLLoss(), **QUIET), ValueError,
     r"loss_fn=NLLLoss\(\) needs log-probabilities.*nn\.CrossEntropyLoss\(\).*nn\.LogSoftmax\(dim=1\)"),
    (lambda: evaluate(nn.Linear(2, 2), pairs(), loss_fn=F.nll_loss), ValueError, r"loss_fn=nll_loss needs log-prob"),
]  # fmt: skip
ROUND2_IDS = [
    "predict 1 output", "fit 1 output, labels 0", "evaluate 1 output, labels 0", "predict nan weights",
    "evaluate nan weights", "predict list of 2 images", "predict list of 2 batches", "predict tuple of 3 images",
    "optimizer is a loss", "optimizer is a layer", "optimizer is a loss function", "batchnorm last batch of 1",
    "batchnorm DataLoader last batch of 1", "batchnorm single image", "lr empty list", "lazy layers",
    "col_names unknown", "col_names one string unknown", "col_names number", "row_settings unknown", "verbose 5",
    "depth negative", "summary device gpu", "fit device meta", "get_device meta", "model on meta",
    "NLLLoss on raw scores", "nll_loss on raw scores",
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", ROUND2, ids=ROUND2_IDS)
def test_round2_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a CUDA GPU")
def test_summary_checks_the_device_before_the_input_size():
    with pytest.raises(RuntimeError, match=r"Device 'cuda' was asked for, but PyTorch sees no CUDA GPU"):
        summary(nn.Linear(4, 3), (1, 4), device="cuda")


def test_round2_valid_calls_still_work():
    """A single column name is one column; NLLLoss on log-probabilities trains; (images, labels) still predicts."""
    text = str(summary(nn.Linear(4, 3), (1, 4), col_names="num_params"))
    assert "Param #" in text and "Output Shape" not in text
    _ = seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 2), nn.LogSoftmax(dim=1))
    assert fit(model, pairs(), loss_fn=nn.NLLLoss(), **QUIET).epochs == 1
    x, y = pairs()
    assert torch.equal(predict(model, (x, y)), predict(model, x))
    assert fit(bn_model(), bn_data(66), batch_size=64, **QUIET).epochs == 1  # a last batch of 2 is fine
