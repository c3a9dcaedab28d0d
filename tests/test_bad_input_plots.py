"""Bad input to the metrics, the figures, the activation statistics and the notebook helpers (issue 14).

Each case gets a TypeError or a ValueError that names the argument, raised before any deep call into
torch, NumPy or matplotlib: ainotes.metrics, ainotes.plot, ainotes.stats, ainotes.statsplot,
ainotes.channelplot and ainotes.notebook.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

from ainotes.channelplot import channel_figure, plot_channel_histograms, show_channels
from ainotes.metrics import confusion_matrix, most_confused, per_class_accuracy
from ainotes.notebook import figure_alt, glue, show_figure
from ainotes.plot import plot_class_accuracy, plot_confusion, plot_history, plot_lr_schedule, set_theme, show_images
from ainotes.stats import ActivationStats, hook_count
from ainotes.statsplot import plot_color_dim, plot_layer_stats
from ainotes.train import History

CM = torch.tensor([[5, 2], [0, 7]])
MEAN, STD = (0.49, 0.48, 0.45), (0.25, 0.24, 0.26)


def case(call, error, match, id):
    return pytest.param(call, error, match, id=id)


def check(call, error, match):
    figures = plt.get_fignums()
    with pytest.raises(error, match=match):
        call()
    assert plt.get_fignums() == figures, "the error came after a figure was made"


def model() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 6 * 6, 2))


def recorded() -> ActivationStats:
    net = model()
    with ActivationStats(net) as stats:
        net(torch.randn(2, 1, 8, 8))
    return stats


def history(**changes) -> History:
    values = dict(train_loss=[1.0, 0.5], train_acc=[0.6, 0.8], valid_loss=[0.9, 0.6], valid_acc=[0.65, 0.78],
                  epoch_seconds=[1.0, 1.0], lr=[0.1, 0.2, 0.1], momentum=[0.9, 0.8, 0.9])  # fmt: skip
    return History(**{**values, **changes})


# ---------------------------------------------------------------- ainotes.metrics
METRICS = [
    case(lambda: confusion_matrix([0.0, 1.0], [0, 1], 2), TypeError, r"y_true must hold whole class numbers", "float-list"),
    case(lambda: confusion_matrix(["cat", "dog"], [0, 1], 2), TypeError, r"y_true must hold whole", "string-labels"),
    case(lambda: confusion_matrix([0, 1], [0, 1], 2.0), TypeError, r"num_classes must be a whole number, got 2\.0",
         "num-classes-float"),
    case(lambda: confusion_matrix([0, 1], [0, 1], "10"), TypeError, r"num_classes must be a whole number, got '10'",
         "num-classes-str"),
    case(lambda: confusion_matrix([0], [0], 0), ValueError, r"num_classes=0 is too small", "num-classes-0"),
    case(lambda: confusion_matrix([0, 1], [0, 1], True), TypeError, r"num_classes must be a whole number, got True",
         "num-classes-bool"),
    case(lambda: confusion_matrix([0, 1, 1], [0, 1], 2), ValueError, r"3 true labels but 2 predictions: y_true and y_pred",
         "lengths-differ"),
    case(lambda: confusion_matrix([0, 1], [0, 5], 2), ValueError, r"y_pred run from 0 to 5, but there are 2 classes",
         "beyond-num-classes"),
    case(lambda: confusion_matrix([0, -1], [0, 1], 2), ValueError, r"y_true run from -1 to 0", "negative-label"),
    case(lambda: confusion_matrix([0, 1], torch.randn(2, 2), 2), ValueError, r"y_pred has shape \(2, 2\).*y_pred\.argmax\(1\)",
         "logits"),
    case(lambda: confusion_matrix([0, 1], torch.tensor([0.9, 0.7]), 2), TypeError, r"y_pred holds torch\.float32.*argmax\(1\)",
         "max-values-not-indices"),
    case(lambda: confusion_matrix([], [], 2), ValueError, r"y_true and y_pred are empty", "empty"),
    case(lambda: confusion_matrix(None, [0], 2), TypeError, r"y_true must be a tensor of class indices", "none"),
    case(lambda: confusion_matrix(torch.tensor([True, False]), torch.tensor([1, 0]), 2), TypeError,
         r"y_true holds torch\.bool", "bool-labels"),
    case(lambda: per_class_accuracy([0, 1], [0, 1], 2.0), TypeError, r"num_classes must be a whole number",
         "per-class-num-classes"),
    case(lambda: per_class_accuracy(torch.tensor([], dtype=torch.long), torch.tensor([], dtype=torch.long), 2),
         ValueError, r"y_true and y_pred are empty", "per-class-empty"),
    case(lambda: most_confused(CM, "ab"), TypeError, r"classes must be a list, got 'ab'", "classes-string"),
    case(lambda: most_confused(CM, None), TypeError, r"classes must be a list, got None", "classes-none"),
    case(lambda: most_confused(CM, ["a", "b", "c"]), ValueError, r"cm has shape \(2, 2\) but classes has 3 names",
         "classes-wrong-length"),
    case(lambda: most_confused(CM, ["a", "b"], k=0), ValueError, r"k=0 is too small", "k-0"),
    case(lambda: most_confused(CM, ["a", "b"], k=-1), ValueError, r"k=-1 is too small", "k-negative"),
    case(lambda: most_confused(CM, ["a", "b"], k=2.0), TypeError, r"k must be a whole number", "k-float"),
    case(lambda: most_confused(CM, ["a", "b"], k="3"), TypeError, r"k must be a whole number", "k-str"),
    case(lambda: most_confused(torch.tensor([[0.7, 0.3], [0.1, 0.9]]), ["a", "b"]), ValueError,
         r"cm holds fractions such as 0\.[37].*not a normalised matrix", "row-normalised"),
    case(lambda: most_confused(torch.tensor([[5, -2], [1, 7]]), ["a", "b"]), ValueError, r"cm holds negative entries",
         "negative-counts"),
    case(lambda: most_confused(torch.zeros(2, 3), ["a", "b"]), ValueError, r"cm has shape \(2, 3\): a confusion matrix is square",
         "not-square"),
    case(lambda: most_confused(torch.tensor([[1.0, float("nan")], [0.0, 1.0]]), ["a", "b"]), ValueError,
         r"cm holds NaN", "nan"),
    case(lambda: most_confused("cm", ["a", "b"]), TypeError, r"cm must be a confusion matrix", "cm-string"),
    case(lambda: most_confused([[1, 2], [3]], ["a", "b"]), ValueError, r"cm has rows of different lengths", "ragged"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), METRICS)
def test_metrics_refuse_bad_input(call, error, match):
    check(call, error, match)


def test_metrics_accept_lists_and_numpy_arrays():
    assert confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), np.int64(2)).tolist() == [[1, 0], [1, 1]]
    assert most_confused([[5, 2], [0, 7]], ("cat", "dog"), k=1) == [("cat", "dog", 2)]
    assert most_confused(np.array([[5.0, 2.0], [0.0, 7.0]]), ["cat", "dog"]) == [("cat", "dog", 2)]


# ---------------------------------------------------------------- ainotes.plot
IMAGES = torch.rand(2, 8, 8)
PLOTS = [
    case(lambda: set_theme(0), ValueError, r"dpi=0 is impossible", "dpi-0"),
    case(lambda: set_theme("80"), TypeError, r"dpi must be a number, got '80'", "dpi-str"),
    case(lambda: show_images(["a.png", "b.png"]), TypeError, r"images\[0\] is the text 'a\.png'", "image-paths"),
    case(lambda: show_images(torch.rand(8, 8)), ValueError, r"images has shape \(8, 8\): it looks like one image",
         "one-image"),
    case(lambda: show_images(torch.rand(2, 2, 2, 2, 2)), ValueError, r"Cannot show images of shape \(2, 2, 2, 2, 2\)",
         "5-d"),
    case(lambda: show_images(5), TypeError, r"images must be a tensor", "images-int"),
    case(lambda: show_images([(torch.rand(1, 8, 8), 3)]), TypeError, r"images\[0\] is a tuple.*\(image, label\) pair",
         "dataset-pairs"),
    case(lambda: show_images(torch.rand(2, 4, 8, 8)), ValueError, r"Cannot show images\[0\] of shape \(4, 8, 8\)",
         "4-channels"),
    case(lambda: show_images(torch.rand(2, 8, 8, dtype=torch.complex64)), TypeError, r"images\[0\] holds complex64",
         "complex"),
    case(lambda: show_images(IMAGES, ncols=0), ValueError, r"ncols=0 is too small", "ncols-0"),
    case(lambda: show_images(IMAGES, ncols=-1), ValueError, r"ncols=-1 is too small", "ncols-negative"),
    case(lambda: show_images(IMAGES, ncols=2.0), TypeError, r"ncols must be a whole number", "ncols-float"),
    case(lambda: show_images(IMAGES, size=0), ValueError, r"size=0 is impossible", "size-0"),
    case(lambda: show_images(IMAGES, size="1"), TypeError, r"size must be a number", "size-str"),
    case(lambda: show_images(IMAGES, [0, 1], fontsize=-1), ValueError, r"fontsize=-1 is impossible", "fontsize-negative"),
    case(lambda: show_images(IMAGES, indices=[5]), ValueError, r"indices\[0\]=5 is out of range: there are 2 images",
         "index-out-of-range"),
    case(lambda: show_images(IMAGES, indices=3), TypeError, r"indices must be a list of image numbers, got 3",
         "indices-int"),
    case(lambda: show_images(IMAGES, indices=[0.0]), TypeError, r"indices\[0\] must be a whole number", "indices-float"),
    case(lambda: show_images(IMAGES, indices=torch.zeros(1, 1, dtype=torch.long)), ValueError, r"indices has shape \(1, 1\)",
         "indices-2-d"),
    case(lambda: show_images(torch.rand(200, 4, 4)), ValueError, r"show_images would draw 200 images.*indices=",
         "too-many-images"),
    case(lambda: show_images(IMAGES, [0, 5], classes=["a", "b"]), ValueError, r"labels run from 0 to 5, but there are 2 classes",
         "label-beyond-classes"),
    case(lambda: show_images(IMAGES, [0, -1], classes=["a", "b"]), ValueError, r"labels run from -1", "label-negative"),
    case(lambda: show_images(IMAGES, [0, 1], predictions=torch.randn(2, 3), classes=["a", "b", "c"]), ValueError,
         r"predictions has shape \(2, 3\).*predictions\.argmax\(1\)", "predictions-logits"),
    case(lambda: show_images(IMAGES, [0.5, 1.7]), TypeError, r"labels must hold whole class numbers", "labels-float"),
    case(lambda: show_images(IMAGES, ["cat", "dog"]), TypeError, r"labels must hold whole class numbers", "labels-str"),
    case(lambda: show_images(IMAGES, 3), TypeError, r"labels must be a tensor of class indices", "labels-int"),
    case(lambda: show_images(IMAGES, [0, 1], classes="ab"), TypeError, r"classes must be a list, got 'ab'", "classes-str"),
    case(lambda: show_images(IMAGES, [0, 1], classes=10), TypeError, r"classes must be a list, got 10", "classes-int"),
    case(lambda: plot_history({"train_loss": [1.0]}), TypeError, r"history must be the History.*History\(\*\*values\)",
         "history-dict"),
    case(lambda: plot_history([1.0, 0.5]), TypeError, r"history must be the History.*got a list", "history-list"),
    case(lambda: plot_history(history(train_acc=[60.0, 80.0])), ValueError,
         r"history\.train_acc\[0\]=60\.0 is not between 0 and 1: it looks like a percentage", "history-percent"),
    case(lambda: plot_history(history(train_acc=[0.6])), ValueError, r"history\.train_acc has 1 value but history\.train_loss has 2",
         "history-lengths"),
    case(lambda: plot_history(history(valid_acc=[])), ValueError, r"history\.valid_acc has 0 values", "history-no-valid-acc"),
    case(lambda: plot_history(history(train_loss=["1.0", "0.5"])), TypeError, r"history\.train_loss\[0\] must be a number",
         "history-strings"),
    case(lambda: plot_history(History()), ValueError, r"^history is empty: train", "history-empty"),
    case(lambda: plot_lr_schedule({"lr": [0.1]}), TypeError, r"history must be the History", "schedule-dict"),
    case(lambda: plot_lr_schedule([0.1, 0.2]), TypeError, r"history must be the History.*got a list", "schedule-list"),
    case(lambda: plot_lr_schedule(history(momentum=[0.9])), ValueError, r"history\.momentum has 1 value but history\.lr has 3",
         "schedule-momentum-length"),
    case(lambda: plot_lr_schedule(History()), ValueError, r"history has no steps recorded \(history\.lr is empty\)",
         "schedule-empty"),
    case(lambda: plot_class_accuracy([90, 60], ["a", "b"]), ValueError, r"accuracy\[0\]=90\.0 .*percentage, give 0\.9",
         "accuracy-percent"),
    case(lambda: plot_class_accuracy([-0.1, 0.6], ["a", "b"]), ValueError, r"accuracy\[0\]=-0\.1 is not between 0 and 1",
         "accuracy-negative"),
    case(lambda: plot_class_accuracy(["0.9", "0.6"], ["a", "b"]), TypeError, r"accuracy must be one number per class",
         "accuracy-strings"),
    case(lambda: plot_class_accuracy(0.9, ["a"]), TypeError, r"accuracy must be one number per class", "accuracy-scalar"),
    case(lambda: plot_class_accuracy(CM, ["a", "b"]), ValueError, r"accuracy has shape \(2, 2\).*plot_confusion",
         "accuracy-2-d"),
    case(lambda: plot_class_accuracy([], []), ValueError, r"accuracy is empty", "accuracy-empty"),
    case(lambda: plot_class_accuracy([0.9, 0.6], "ab"), TypeError, r"classes must be a list, got 'ab'", "accuracy-classes-str"),
    case(lambda: plot_class_accuracy([0.9, 0.6], None), TypeError, r"classes must be a list, got None",
         "accuracy-classes-none"),
    case(lambda: plot_confusion(torch.tensor([[0.75, 0.25], [0.0, 1.0]]), ["a", "b"]), ValueError,
         r"cm holds fractions such as 0\.75", "confusion-normalised"),
    case(lambda: plot_confusion(torch.tensor([[3, -1], [0, 4]]), ["a", "b"]), ValueError, r"cm holds negative entries",
         "confusion-negative"),
    case(lambda: plot_confusion(torch.zeros(2, 3), ["a", "b"]), ValueError, r"cm has shape \(2, 3\).*square",
         "confusion-not-square"),
    case(lambda: plot_confusion(torch.tensor([0, 1]), ["a", "b"]), ValueError, r"cm has shape \(2,\)", "confusion-labels"),
    case(lambda: plot_confusion(torch.zeros(3, 3), ["a", "b"]), ValueError, r"cm has shape \(3, 3\) but classes has 2 names",
         "confusion-classes-length"),
    case(lambda: plot_confusion(CM, "ab"), TypeError, r"classes must be a list, got 'ab'", "confusion-classes-str"),
    case(lambda: plot_confusion(torch.tensor([[3, float("nan")], [0, 4]]), ["a", "b"]), ValueError, r"cm holds NaN",
         "confusion-nan"),
    case(lambda: plot_confusion("cm", ["a", "b"]), TypeError, r"cm must be a confusion matrix", "confusion-string"),
    case(lambda: plot_confusion(torch.ones(2, 2, dtype=torch.bool), ["a", "b"]), TypeError, r"cm holds torch\.bool",
         "confusion-bool"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), PLOTS)
def test_plots_refuse_bad_input(call, error, match):
    check(call, error, match)


def test_plots_still_accept_tensor_indices_and_counts_as_floats():
    fig = show_images(torch.rand(4, 8, 8), [0, 1, 0, 1], classes=["a", "b"], indices=torch.tensor([3, 1]))
    assert [ax.get_title() for ax in fig.axes] == ["b", "b"]
    fig = plot_confusion(np.array([[3.0, 1.0], [0.0, 4.0]]), ["a", "b"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["3", "1", "0", "4"]
    plt.close("all")


# ---------------------------------------------------------------- ainotes.stats and ainotes.statsplot
STATS = [
    case(lambda: hook_count(nn.Sequential), TypeError, r"model must be a torch\.nn\.Module, got the class Sequential",
         "hook-count-class"),
    case(lambda: hook_count(None), TypeError, r"model must be a torch\.nn\.Module, got None", "hook-count-none"),
    case(lambda: ActivationStats(nn.Sequential), TypeError, r"model must be a torch\.nn\.Module, got the class",
         "model-class"),
    case(lambda: ActivationStats(model(), ["ReLU"]), ValueError, r"modules lists 'ReLU'.*is a layer type.*isinstance\(m, nn\.ReLU\)",
         "layer-type-as-string"),
    case(lambda: ActivationStats(model(), ["relu"]), ValueError, r"modules lists 'relu'.*isinstance\(m, nn\.ReLU\)",
         "layer-type-lowercase"),
    case(lambda: ActivationStats(model(), [nn.ReLU]), TypeError, r"modules lists the class ReLU.*model\.modules\(\)",
         "layer-class-in-list"),
    case(lambda: ActivationStats(model(), nn.ReLU), TypeError, r"modules lists the class ReLU", "layer-class"),
    case(lambda: ActivationStats(model(), [m for m in model() if isinstance(m, nn.BatchNorm2d)]), ValueError,
         r"modules is empty", "no-matching-layers"),
    case(lambda: ActivationStats(model(), bins="40"), TypeError, r"bins must be a whole number, got '40'", "bins-str"),
    case(lambda: ActivationStats(model(), hist_range="01"), TypeError, r"hist_range must be two numbers", "hist-range-str"),
    case(lambda: ActivationStats(model(), hist_range=(0, "10")), TypeError, r"hist_range\[1\] must be a number",
         "hist-range-item-str"),
    case(lambda: ActivationStats(model(), near_zero=-1), ValueError, r"near_zero=-1 is negative", "near-zero-negative"),
    case(lambda: recorded().mean(nn.Linear(2, 2)), TypeError, r"layer must be a layer name .*stats\.layers", "layer-other-module"),
    case(lambda: recorded().mean(None), TypeError, r"layer must be a layer name .*'0', '3'", "layer-none"),
    case(lambda: plot_layer_stats(ActivationStats(model())), ValueError, r"stats has no steps recorded yet",
         "layer-stats-before-training"),
    case(lambda: plot_color_dim(ActivationStats(model())), ValueError, r"stats has no steps recorded yet",
         "color-dim-before-training"),
    case(lambda: plot_layer_stats([recorded(), recorded()]), TypeError, r"stats must be an ActivationStats.*'run A'",
         "layer-stats-list-of-runs"),
    case(lambda: plot_layer_stats(recorded(), ["0", 0]), ValueError, r"layer lists layer '0' twice", "layer-twice"),
    case(lambda: plot_color_dim(recorded(), ["0", "3"]), TypeError, r"layer must be one layer name or index, got a list",
         "color-dim-several-layers"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), STATS)
def test_activation_stats_refuse_bad_input(call, error, match):
    check(call, error, match)


def test_layers_given_as_the_recorded_module_or_a_near_name():
    net = nn.Sequential()
    net.add_module("conv_1", nn.Conv2d(1, 2, 3))
    with pytest.raises(ValueError, match=r"modules lists 'conv1'.*did you mean 'conv_1'\?"):
        ActivationStats(net, ["conv1"])
    stats = ActivationStats(net)
    with pytest.raises(TypeError, match=r"layer must be .*not the layer itself: use 'conv_1'"):
        stats.mean(net.conv_1)
    with pytest.raises(ValueError, match=r"layer 'conv1' is not watched.*did you mean 'conv_1'\?"):
        stats.std("conv1")


def test_layers_by_numpy_index_and_from_a_generator():
    net = model()
    stats = ActivationStats(net, (m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))))
    assert stats.layers == ["0", "3"] and stats.mean(np.int64(1)).shape == (0,)


# ---------------------------------------------------------------- ainotes.channelplot
IMAGE = torch.rand(3, 8, 8)
CHANNELS = [
    case(lambda: show_channels(IMAGE, tinted="yes"), TypeError, r"tinted must be True or False, got 'yes'", "tinted-str"),
    case(lambda: show_channels(IMAGE, tinted=1), TypeError, r"tinted must be True or False, got 1", "tinted-int"),
    case(lambda: show_channels(torch.full((3, 8, 8), float("nan"))), ValueError, r"`image` holds NaN or infinite",
         "image-nan"),
    case(lambda: show_channels(torch.rand(3, 0, 8)), ValueError, r"`image` has shape \(3, 0, 8\): it holds no pixels",
         "image-empty"),
    case(lambda: plot_channel_histograms(IMAGE, bins=2.0), TypeError, r"bins must be a whole number, got 2\.0",
         "bins-float"),
    case(lambda: plot_channel_histograms(IMAGE, bins="50"), TypeError, r"bins must be a whole number, got '50'",
         "bins-str"),
    case(lambda: plot_channel_histograms(IMAGE, show_stats="no"), TypeError, r"show_stats must be True or False",
         "show-stats-str"),
    case(lambda: plot_channel_histograms(IMAGE, value_range=1), TypeError, r"`value_range` is 1: give two numbers",
         "value-range-number"),
    case(lambda: plot_channel_histograms(IMAGE, value_range=("0", "1")), TypeError, r"value_range\[0\] must be a number",
         "value-range-strings"),
    case(lambda: plot_channel_histograms(IMAGE, value_range=(0, float("inf"))), ValueError,
         r"value_range\[1\]=inf is not a finite number", "value-range-inf"),
    case(lambda: plot_channel_histograms(torch.full((3, 8, 8), float("nan"))), ValueError, r"`images` holds NaN",
         "histogram-nan"),
    case(lambda: plot_channel_histograms(torch.rand(0, 3, 8, 8)), ValueError, r"`images` has shape \(0, 3, 8, 8\): it holds no",
         "histogram-empty"),
    case(lambda: plot_channel_histograms(torch.rand(4, 8, 8)), ValueError, r"`images` has 4 channels.*4 channel names",
         "four-channels"),
    case(lambda: channel_figure(IMAGE, (49, 48, 45), STD), ValueError, r"mean\[0\]=49\.0 .*percentage, give 0\.49",
         "mean-percent"),
    case(lambda: channel_figure(IMAGE, MEAN, (25, 24, 26)), ValueError, r"std\[0\]=25\.0 .*percentage", "std-percent"),
    case(lambda: channel_figure(torch.full((3, 8, 8), float("inf")), MEAN, STD), ValueError, r"`image` holds NaN or infinite",
         "figure-inf"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), CHANNELS)
def test_channel_figures_refuse_bad_input(call, error, match):
    check(call, error, match)


# ---------------------------------------------------------------- ainotes.notebook
NOTEBOOK = [
    case(lambda: glue(3, 1.0), TypeError, r"name must be a string, got 3", "glue-name-int"),
    case(lambda: glue("", 1.0), ValueError, r"name='' is empty", "glue-name-empty"),
    case(lambda: glue("  ", 1.0), ValueError, r"name='  ' is empty", "glue-name-blank"),
    case(lambda: glue("x", 1.0, display="no"), TypeError, r"display must be True or False", "glue-display-str"),
    case(lambda: show_figure("fig"), TypeError, r"fig must be a matplotlib Figure, got str", "show-string"),
    case(lambda: show_figure(None), TypeError, r"fig must be a matplotlib Figure, got None:", "show-none"),
    case(lambda: figure_alt("fig"), TypeError, r"fig must be a matplotlib Figure, got str", "alt-string"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), NOTEBOOK)
def test_notebook_helpers_refuse_bad_input(call, error, match):
    check(call, error, match)


@pytest.mark.parametrize("helper", [show_figure, figure_alt], ids=["show_figure", "figure_alt"])
def test_figure_helpers_say_what_to_pass_for_axes_and_subplots_pairs(helper):
    fig, ax = pair = plt.subplots()
    with pytest.raises(TypeError, match=r"fig must be a matplotlib Figure, got an Axes: .*ax\.figure"):
        helper(ax)
    with pytest.raises(TypeError, match=r"fig must be a matplotlib Figure, got a tuple: .*fig, ax = plt\.subplots\(\)"):
        helper(pair)
    plt.close(fig)


def test_glue_stores_a_one_number_tensor_as_a_number(monkeypatch):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, **k: calls.append(value))
    glue("accuracy", torch.tensor(99.5))  # the page would show tensor(99.5000)
    glue("labels", torch.tensor([1, 2]))  # a tensor of several numbers is left alone
    assert calls[0] == 99.5 and type(calls[0]) is float and isinstance(calls[1], torch.Tensor)


# ---------------------------------------------------------------- round 2: cases found by an independent probe
from ainotes.convplot import show_feature_maps  # noqa: E402

ROUND2 = [
    case(lambda: set_theme(dpi=10**6), ValueError, r"dpi=1000000 is out of range: .*from 20 to 600", "dpi-huge"),
    case(lambda: set_theme(dpi=5), ValueError, r"dpi=5 is out of range", "dpi-tiny"),
    case(lambda: show_images(torch.rand(4, 8, 8), [0, 1, 2], indices=[2, 3]), ValueError,
         r"3 labels for 4 images: give one per image, or one per entry of indices \(2\)", "labels-fit-neither"),
    case(lambda: show_feature_maps(torch.rand(4, 5, 5), titles=[1, 2, 3, 4]), TypeError,
         r"titles\[0\]=1 \(int\) is not a str", "feature-map-titles-int"),
    case(lambda: plot_channel_histograms(torch.rand(4, 3, 6, 6), bins=10**7), ValueError,
         r"bins=10000000 is too large: give at most 1000", "channel-histogram-bins-huge"),
    case(lambda: ActivationStats(model(), bins=10**7), ValueError, r"bins=10000000 is too large: give at most 1000",
         "activation-stats-bins-huge"),
    case(lambda: glue("x", torch.tensor(1.0, device="meta")), ValueError, r"value is a tensor on the 'meta' device",
         "glue-meta-tensor"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", ROUND2)
def test_round2_bad_input(call, error, match):
    with plt.rc_context():
        check(call, error, match)


def test_show_images_takes_one_label_per_entry_of_indices():
    """As the docstring says: labels and predictions may be given for the images shown, in the order of indices."""
    x = torch.rand(4, 8, 8)
    fig = show_images(x, [0, 1], predictions=[1, 1], indices=[2, 3], classes=["cat", "dog"])
    assert [ax.get_title() for ax in fig.axes] == ["dog\n(true: cat)", "dog"]
    per_image = show_images(x, [5, 5, 0, 1], predictions=[5, 5, 1, 1], indices=[2, 3])  # one per image: as before
    assert [ax.get_title() for ax in per_image.axes] == ["1\n(true: 0)", "1"]
    plt.close("all")
