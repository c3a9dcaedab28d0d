"""ActivationStats (ainotes.stats) and its two figures (ainotes.statsplot): values, hooks, errors."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from ainotes.plot import plot_color_dim, plot_layer_stats
from ainotes.stats import _CHUNK, ActivationStats, hook_count
from ainotes.train import fit


def small_cnn() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 3, 3), nn.Flatten(), nn.Linear(3 * 4 * 4, 2))


def record_outputs(model: nn.Module, names: list[str]) -> tuple[dict[str, list[torch.Tensor]], list]:
    """Plain hooks keeping every output of the named layers, to compare with."""
    seen: dict[str, list[torch.Tensor]] = {name: [] for name in names}
    modules = dict(model.named_modules())
    handles = [modules[name].register_forward_hook(lambda m, i, o, name=name: seen[name].append(o.detach().clone()))
               for name in names]  # fmt: skip
    return seen, handles


def recorded(steps: int = 4, **options) -> ActivationStats:
    """A small recording: `steps` forward passes of small_cnn in training mode."""
    torch.manual_seed(0)
    model = small_cnn()
    with ActivationStats(model, **options) as stats:
        for _ in range(steps):
            model(torch.randn(5, 1, 8, 8))
    return stats


# --------------------------------------------------------------------------------------------
# The statistics
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("channels_last", [False, True])
def test_statistics_equal_a_direct_computation(channels_last):
    torch.manual_seed(0)
    model = small_cnn()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    names = ["0", "1", "2", "4"]
    seen, handles = record_outputs(model, names)
    options = dict(bins=8, hist_range=(-1.0, 2.0), near_zero=0.1)
    with ActivationStats(model, names, **options) as stats:
        for _ in range(3):
            x = torch.randn(5, 1, 8, 8) * 2
            model(x.contiguous(memory_format=torch.channels_last) if channels_last else x)
    for handle in handles:
        handle.remove()
    assert stats.layers == names and stats.steps == 3
    for name in names:
        outputs = seen[name]
        assert torch.allclose(stats.mean(name), torch.stack([o.mean() for o in outputs]), atol=1e-6)
        assert torch.allclose(stats.std(name), torch.stack([o.std(correction=0) for o in outputs]), atol=1e-6)
        share = torch.stack([(o.abs() <= 0.1).float().mean() for o in outputs])
        assert torch.allclose(stats.near_zero(name), share)
        hists = torch.stack([torch.histc(o.float().clamp(-1, 2), 8, -1, 2) for o in outputs])
        assert torch.equal(stats.histograms(name), hists), name
        assert stats.histograms(name).sum(1).tolist() == [o.numel() for o in outputs]
    for reader in (stats.mean, stats.std, stats.near_zero, stats.histograms):
        assert reader(0).device.type == "cpu" and reader(0).dtype == torch.float32


class Returns(nn.Module):
    """A layer whose output is `make(x)`, with one parameter so that it counts as a layer."""

    def __init__(self, make):
        super().__init__()
        self.make, self.weight = make, nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.make(x)


def test_values_outside_the_range_go_to_the_end_bins():
    layer = Returns(lambda x: x)
    with ActivationStats(layer, bins=4, hist_range=(0, 4), near_zero=0) as stats:
        layer(torch.tensor([-100.0, -1.0, 0.0, 0.5, 3.9, 4.0, 50.0, float("inf")]))
    assert stats.histograms(0).tolist() == [[4.0, 0.0, 0.0, 4.0]]
    assert stats.near_zero(0).item() == pytest.approx(1 / 8)
    assert stats.bin_edges.tolist() == [0, 1, 2, 3, 4] and stats.threshold == 0 and stats.hist_range == (0.0, 4.0)


@pytest.mark.parametrize("bins", [1, 127, 128, 300])
def test_many_or_few_bins_agree_with_histc(bins):
    layer = Returns(lambda x: x)
    x = torch.randn(1000) * 3
    with ActivationStats(layer, bins=bins, hist_range=(-5, 5)) as stats:
        layer(x)
        layer(torch.full((10,), float("nan")))  # NaN: a diverged model must not stop the training
    assert torch.equal(stats.histograms(0)[0], torch.histc(x.clamp(-5, 5), bins, -5, 5))
    assert stats.mean(0)[1].isnan() and stats.steps == 2


def test_tuple_output_half_precision_empty_and_nan_outputs():
    pair = Returns(lambda x: ("not a tensor", x * 2, x))
    with ActivationStats(pair) as stats:
        pair(torch.tensor([1.0, 3.0]))
    assert stats.mean(0).tolist() == [4.0]  # the first tensor of the tuple
    half = Returns(lambda x: x.to(torch.bfloat16))
    with ActivationStats(half) as stats:
        half(torch.tensor([1.0, 2.0, 3.0]))
    assert stats.mean(0).tolist() == [2.0] and stats.histograms(0).sum().item() == 3
    empty = Returns(lambda x: x[:0])
    with ActivationStats(empty) as stats:
        empty(torch.ones(3))
    assert stats.steps == 1 and stats.histograms(0).sum().item() == 0
    nan = Returns(lambda x: x / 0 * 0)  # NaN: a diverged model must not stop the training
    with ActivationStats(nan) as stats:
        nan(torch.ones(4))
    assert stats.mean(0).isnan().all()


def test_the_hook_changes_neither_outputs_nor_gradients():
    torch.manual_seed(0)
    model, x = small_cnn(), torch.randn(4, 1, 8, 8)
    plain = model(x)
    plain.sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    with ActivationStats(model, ["0", "1", "2", "3", "4"]):
        watched = model(x)
        watched.sum().backward()
    assert torch.equal(plain, watched)
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, model.parameters()))


def test_a_layer_without_tensor_output_is_named_in_the_error():
    layer = Returns(lambda x: ("no", "tensor"))
    with pytest.raises(TypeError, match="layer 'Returns'"), ActivationStats(layer):
        layer(torch.ones(2))
    assert hook_count(layer) == 0


def test_memory_stays_small_and_chunks_read_back_in_order():
    layer = Returns(lambda x: x)
    steps, size = _CHUNK + 44, 20_000
    means = []
    with ActivationStats(layer, bins=8) as stats:
        for step in range(steps):
            x = torch.randn(size) + step / 100
            means.append(x.mean())
            layer(x)
    assert stats.steps == steps and len(stats._chunks["Returns"]) == 1
    stored = [t for row in stats._rows["Returns"] for t in row]
    stored += [t for rows, hists in stats._chunks["Returns"] for t in (rows, hists)]
    assert max(t.numel() for t in stored) <= _CHUNK * 8 < size  # never an activation
    assert torch.allclose(stats.mean(0), torch.stack(means), atol=1e-5)
    assert stats.histograms(0).shape == (steps, 8)


# --------------------------------------------------------------------------------------------
# Hooks
# --------------------------------------------------------------------------------------------
def test_hooks_are_removed_on_exit_and_on_an_exception():
    model = small_cnn()
    stats = ActivationStats(model)
    with stats as entered:
        assert entered is stats and stats.attached and hook_count(model) == 3
        model(torch.randn(2, 1, 8, 8))
    assert not stats.attached and hook_count(model) == 0 and stats.steps == 1
    with pytest.raises(ZeroDivisionError), ActivationStats(model) as failed:
        model(torch.randn(2, 1, 8, 8))
        raise ZeroDivisionError("training failed")
    assert hook_count(model) == 0 and failed.steps == 1  # the exception went on; the data stays


def test_attach_remove_and_attaching_twice():
    model = small_cnn()
    stats = ActivationStats(model).attach()
    with pytest.raises(RuntimeError, match="already attached"):
        stats.attach()
    with pytest.raises(RuntimeError, match="already attached"), stats:
        pass
    assert hook_count(model) == 3  # no duplicate hooks
    model(torch.randn(2, 1, 8, 8))
    stats.remove()
    stats.remove()
    assert hook_count(model) == 0 and stats.steps == 1
    with stats:  # attaching again goes on recording
        model(torch.randn(2, 1, 8, 8))
    assert stats.steps == 2 and "2 steps recorded; hooks removed" in repr(stats)


def test_hook_count_shows_hooks_piling_up():
    model = small_cnn()
    for _ in range(3):
        model[0].register_forward_hook(lambda m, i, o: None)
    assert hook_count(model) == 3
    with pytest.raises(TypeError, match="model"):
        hook_count("model")


def test_eval_mode_is_not_recorded_unless_asked():
    model = small_cnn()
    for train_only, expected in ((True, 1), (False, 2)):
        with ActivationStats(model, train_only=train_only) as stats:
            model.train()(torch.randn(2, 1, 8, 8))
            model.eval()(torch.randn(2, 1, 8, 8))
        assert stats.steps == expected


def test_fit_steps_count_training_batches_only():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
    x, y = torch.randn(100, 1, 8, 8), torch.randint(0, 3, (100,))
    with ActivationStats(model) as stats:
        fit(model, (x, y), (x[:40], y[:40]), epochs=2, batch_size=32, progress=False, verbose=False)
    assert stats.layers == ["0", "3"] and stats.steps == 2 * 4  # 4 batches per epoch; validation not counted
    assert stats.histograms("3").shape == (8, 40) and hook_count(model) == 0


# --------------------------------------------------------------------------------------------
# Choosing layers
# --------------------------------------------------------------------------------------------
def test_default_layers_are_children_with_parameters():
    nested = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    assert ActivationStats(nested).layers == ["0", "3"]
    assert ActivationStats(nn.Conv2d(1, 2, 3)).layers == ["Conv2d"]

    class Own(nn.Module):  # parameters of its own, children without any
        def __init__(self):
            super().__init__()
            self.weight, self.act = nn.Parameter(torch.ones(2)), nn.ReLU()

    assert ActivationStats(Own()).layers == ["Own"]


def test_layers_by_name_and_by_module_in_model_order():
    model = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), nn.Flatten(), nn.Linear(2, 2))
    stats = ActivationStats(model, [model[2], "0.1", model[0][0]])
    assert stats.layers == ["0.0", "0.1", "2"]
    assert ActivationStats(model, "1").layers == ["1"] and ActivationStats(model, model[1]).layers == ["1"]
    assert ActivationStats(model, [model]).layers == ["Sequential"]


def test_layer_selection_errors_name_the_argument():
    model = small_cnn()
    with pytest.raises(ValueError, match=r"modules lists 'conv1'.*Valid names: '0', '1', '2', '3', '4'"):
        ActivationStats(model, ["conv1"])
    many = nn.Sequential(*[nn.Linear(2, 2) for _ in range(30)])
    with pytest.raises(ValueError, match=r"modules.*'19', \.\.\.") as error:
        ActivationStats(many, ["x"])
    assert "'20'" not in str(error.value)
    with pytest.raises(ValueError, match="modules.*not inside the model"):
        ActivationStats(model, [nn.Linear(2, 2)])
    with pytest.raises(ValueError, match="modules is empty"):
        ActivationStats(model, [])
    with pytest.raises(ValueError, match="modules lists layer '0' twice"):
        ActivationStats(model, ["0", model[0]])
    with pytest.raises(ValueError, match="no parameters.*modules="):
        ActivationStats(nn.Sequential(nn.ReLU(), nn.Flatten()))
    with pytest.raises(TypeError, match="modules must hold layer names.*'0'"):
        ActivationStats(model, [0])
    with pytest.raises(TypeError, match="modules must be a list"):
        ActivationStats(model, 3)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        ActivationStats("model")


@pytest.mark.parametrize(
    ("options", "error", "argument"),
    [
        (dict(bins=0), ValueError, "bins"),
        (dict(bins=2.5), TypeError, "bins"),
        (dict(bins=True), TypeError, "bins"),
        (dict(hist_range=(5, 1)), ValueError, "hist_range"),
        (dict(hist_range=(0, float("inf"))), ValueError, "hist_range"),
        (dict(hist_range=(0, 1, 2)), TypeError, "hist_range"),
        (dict(hist_range=10), TypeError, "hist_range"),
        (dict(hist_range=("a", "b")), TypeError, "hist_range"),
        (dict(near_zero=-0.1), ValueError, "near_zero"),
        (dict(near_zero=float("nan")), ValueError, "near_zero"),
        (dict(near_zero="0.1"), TypeError, "near_zero"),
        (dict(train_only=1), TypeError, "train_only"),
    ],
)
def test_bad_options_get_clear_errors(options, error, argument):
    with pytest.raises(error, match=argument):
        ActivationStats(small_cnn(), **options)


def test_readers_by_name_or_index_and_their_errors():
    stats = recorded(steps=3, bins=10)
    assert torch.equal(stats.mean(-1), stats.mean("4")) and torch.equal(stats.std(0), stats.std("0"))
    assert stats.histograms(1).shape == (3, 10) and stats.bin_edges.shape == (11,) and stats.bins == 10
    assert repr(stats) == "ActivationStats(3 layers: 0, 2, 4; 3 steps recorded; hooks removed)"
    with pytest.raises(ValueError, match=r"layer '1' is not watched.*'0', '2', '4'"):
        stats.mean("1")
    with pytest.raises(IndexError, match=r"layer 3 is out of range.*'0', '2', '4'"):
        stats.histograms(3)
    with pytest.raises(IndexError, match="layer -4"):
        stats.std(-4)
    with pytest.raises(TypeError, match="layer must be"):
        stats.near_zero(1.0)


def test_nothing_recorded_reads_as_empty():
    stats = ActivationStats(small_cnn(), bins=6)
    assert stats.steps == 0 and stats.mean(0).shape == (0,) and stats.histograms(0).shape == (0, 6)
    assert "0 steps recorded" in repr(stats)
    with pytest.raises(ValueError, match="no steps recorded yet"):
        stats.summary()


def test_summary_averages_the_last_tenth_of_steps():
    stats = recorded(steps=20)
    table = stats.summary()
    assert isinstance(table, pd.DataFrame) and list(table.index) == stats.layers
    assert list(table.columns) == ["steps", "mean", "std", "near-zero share"]
    assert table.loc["2", "mean"] == pytest.approx(stats.mean("2")[-2:].mean().item())
    assert table.loc["0", "near-zero share"] == pytest.approx(stats.near_zero("0")[-2:].mean().item())
    assert (table["steps"] == 20).all()


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def test_layer_stats_figure_for_one_run():
    stats = recorded(steps=6)
    fig = plot_layer_stats(stats)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    mean, std, zero = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["mean", "standard deviation", "near-zero share (|a| ≤ 0.05)"]
    assert all(ax.get_xlabel() == "training step" for ax in fig.axes)
    assert [line.get_label() for line in mean.lines] == ["layer 0", "layer 2", "layer 4"]
    assert list(std.lines[1].get_ydata()) == pytest.approx(stats.std("2").tolist())
    assert len(zero.lines[0].get_xdata()) == 6 and zero.get_ylim()[1] <= 1.05
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    assert fig.get_suptitle() == "Activation statistics per training step"
    assert fig.get_figwidth() == pytest.approx(9.6)
    fig = plot_layer_stats(stats, ["4", 0], title="Two layers")
    assert [line.get_label() for line in fig.axes[0].lines] == ["layer 4", "layer 0"]
    assert fig.get_suptitle() == "Two layers"
    assert len(plot_layer_stats(stats, layer=-1).axes[2].lines) == 1


def test_layer_stats_figure_compares_runs_in_rows():
    runs = {"small lr": recorded(steps=4), "large lr": recorded(steps=6, near_zero=0.1)}
    fig = plot_layer_stats(runs, layer=[0, 1])
    assert len(fig.axes) == 6 and len(fig.legends) == 1
    assert [fig.axes[0].get_ylabel(), fig.axes[3].get_ylabel()] == ["small lr", "large lr"]
    assert fig.axes[5].get_title() == "near-zero share (|a| ≤ 0.1)"  # thresholds differ: one title per row
    assert fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[3])
    assert not fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[1])
    assert all(len(ax.lines) == 2 for ax in fig.axes)


def test_color_dim_figure_for_one_run_and_for_runs():
    stats = recorded(steps=5, bins=12, hist_range=(-2.0, 2.0))
    fig = plot_color_dim(stats)
    ax = fig.axes[0]
    image = ax.images[0]
    assert image.get_array().shape == (12, 5) and image.get_extent() == [0, 5, -2.0, 2.0]
    assert np.allclose(image.get_array(), torch.log1p(stats.histograms(-1)).T.numpy())
    assert ax.get_xlabel() == "training step" and ax.get_ylabel() == "activation value"
    assert fig.get_suptitle() == "Activation histogram per step, layer 4"
    assert fig.axes[-1].get_ylabel() == "log(1 + count)"  # the colour bar
    other = recorded(steps=8, bins=12, hist_range=(-2.0, 2.0))
    fig = plot_color_dim({"first": stats, "second": other}, "0", title="Compare")
    first, second = (ax.images[0] for ax in fig.axes[:2])
    assert first.get_clim() == second.get_clim() and first.get_clim()[0] == 0
    assert [ax.get_title() for ax in fig.axes[:2]] == ["first", "second"] and fig.get_suptitle() == "Compare"
    assert len(fig.axes) == 3  # two panels and one shared colour bar


@pytest.mark.parametrize("plot", [plot_layer_stats, plot_color_dim])
def test_figure_errors(plot):
    with pytest.raises(ValueError, match="stats has no steps recorded yet: train the model inside"):
        plot(ActivationStats(small_cnn()))
    with pytest.raises(ValueError, match=r"stats\['b'\] has no steps recorded yet"):
        plot({"a": recorded(), "b": ActivationStats(small_cnn())})
    with pytest.raises(ValueError, match="stats is an empty dict"):
        plot({})
    with pytest.raises(TypeError, match=r"stats\['a'\] is a list"):
        plot({"a": []})
    with pytest.raises(TypeError, match="stats must be an ActivationStats"):
        plot([recorded()])
    with pytest.raises(ValueError, match="layer 'conv1' is not watched"):
        plot(recorded(), "conv1")
    plt.close("all")


def test_layer_list_errors_and_a_layer_that_never_ran():
    with pytest.raises(ValueError, match="layer is an empty list"):
        plot_layer_stats(recorded(), [])
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    with ActivationStats(model) as stats:
        model[0](torch.ones(1, 2))  # layer "1" never runs
    with pytest.raises(ValueError, match="no steps recorded for layer '1'"):
        plot_color_dim(stats, "1")
