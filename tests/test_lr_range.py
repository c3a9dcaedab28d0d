"""The learning-rate range test: the learning rates it tries, early stopping, the model put back exactly, the plot."""

import math
import re

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ainotes.train import LRRangeResult, lr_range_test, plot_lr_range, seed_everything


@pytest.fixture
def blobs():
    """Two well separated classes in 4-D, 256 points."""
    seed_everything(0)
    x = torch.randn(256, 4)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return x, y


def small_net():
    return nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 2))


def snapshot(model):
    """Every tensor of the model: parameters, buffers (persistent or not) and gradients."""
    return ({k: v.clone() for k, v in model.state_dict().items()},
            {k: b.clone() for k, b in model.named_buffers()},
            [None if p.grad is None else p.grad.clone() for p in model.parameters()],
            [m.training for m in model.modules()])  # fmt: skip


def assert_same(model, before):
    after = snapshot(model)
    for saved, now in zip(before[:2], after[:2]):
        assert saved.keys() == now.keys()
        assert all(torch.equal(saved[k], now[k]) for k in saved), [
            k for k in saved if not torch.equal(saved[k], now[k])
        ]
    assert len(before[2]) == len(after[2])
    for saved, now in zip(before[2], after[2]):
        assert (saved is None and now is None) or torch.equal(saved, now)
    assert before[3] == after[3]


# ---------------------------------------------------------------- the learning rates and the losses
def test_the_learning_rate_grows_exponentially_from_start_to_end(blobs):
    seen = []

    class Recording(torch.optim.SGD):
        def step(self, closure=None):
            seen.append(self.param_groups[0]["lr"])
            return super().step(closure)

    result = lr_range_test(nn.Linear(4, 2), blobs, start_lr=1e-6, end_lr=1e-2, steps=41, optimizer=Recording)
    assert len(result.lrs) == 41 and not result.stopped_early  # no divergence at such small learning rates
    assert result.lrs[0] == 1e-6 and result.lrs[-1] == 1e-2
    ratios = [b / a for a, b in zip(result.lrs, result.lrs[1:])]
    assert all(r == pytest.approx(10 ** (4 / 40)) for r in ratios)
    assert seen == result.lrs  # the optimiser used them, step by step
    assert len(result.losses) == len(result.smoothed) == 41


def test_smoothing_is_bias_corrected(blobs):
    result = lr_range_test(nn.Linear(4, 2), blobs, start_lr=1e-6, end_lr=1e-5, steps=20, smoothing=0.2)
    avg = 0.0
    for i, (loss, smooth) in enumerate(zip(result.losses, result.smoothed)):
        avg = 0.8 * avg + 0.2 * loss
        assert smooth == pytest.approx(avg / (1 - 0.8 ** (i + 1)))
    assert result.smoothed[0] == pytest.approx(result.losses[0])
    unsmoothed = lr_range_test(nn.Linear(4, 2), blobs, start_lr=1e-6, end_lr=1e-5, steps=5, smoothing=1)
    assert unsmoothed.smoothed == pytest.approx(unsmoothed.losses)


def test_best_lr_is_at_the_lowest_smoothed_loss(blobs):
    result = lr_range_test(small_net(), blobs, start_lr=1e-5, end_lr=10, steps=100, batch_size=32)
    lowest = min(range(len(result.smoothed)), key=result.smoothed.__getitem__)
    assert result.best_lr == result.lrs[lowest] and result.suggestion == pytest.approx(result.best_lr / 10)
    assert 1e-4 < result.best_lr < 10 and result.smoothed[lowest] < result.smoothed[0]


def test_stops_early_when_the_loss_diverges():
    seed_everything(0)
    x = torch.randn(512, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [3.0]])
    result = lr_range_test(nn.Linear(3, 1), (x, y), loss_fn=nn.MSELoss(), optimizer=torch.optim.SGD, start_lr=1e-4,
                           end_lr=1e4, steps=200, batch_size=32)  # fmt: skip
    assert result.stopped_early and 10 < len(result.lrs) < 200
    last = result.smoothed[-1]
    assert not math.isfinite(last) or last > 4 * min(result.smoothed)
    assert result.best_lr < result.lrs[-1]


def test_a_loss_that_is_never_finite_is_a_clear_error(blobs):
    x, y = blobs
    with pytest.raises(ValueError, match=r"The loss was nan from the first step.*check the data"):
        lr_range_test(nn.Linear(4, 2), (torch.full_like(x, float("nan")), y), steps=20)


# ---------------------------------------------------------------- data formats
def test_works_with_a_pair_a_dataset_and_a_dataloader(blobs):
    x, y = blobs
    for data in (blobs, TensorDataset(x, y), DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True)):
        result = lr_range_test(nn.Linear(4, 2), data, start_lr=1e-5, end_lr=1e-2, steps=30)
        assert len(result.lrs) == 30 and all(math.isfinite(v) for v in result.losses)


def test_data_with_fewer_batches_than_steps_is_gone_through_again(blobs):
    x, y = blobs
    batches = []

    def loss_fn(out, target):
        batches.append(len(target))
        return nn.functional.cross_entropy(out, target)

    lr_range_test(nn.Linear(4, 2), (x[:100], y[:100]), batch_size=40, steps=12, end_lr=1e-3, loss_fn=loss_fn)
    assert batches == [40, 40, 20] * 4


def test_a_classifier_mistake_gets_the_loops_message(blobs):
    x, y = blobs
    with pytest.raises(ValueError, match=r"The labels run from 0 to 1, but the model returns 1 scores"):
        lr_range_test(nn.Linear(4, 1), (x, y))
    with pytest.raises(ValueError, match=r"train_data is empty"):
        lr_range_test(nn.Linear(4, 2), (x[:0], y[:0]))
    with pytest.raises(TypeError, match=r"train_data must be a \(images, labels\) pair of tensors"):
        lr_range_test(nn.Linear(4, 2), x)


# ---------------------------------------------------------------- the model put back
def test_the_model_is_put_back_exactly(blobs):
    model = small_net()
    model.register_buffer("scratch", torch.zeros(3), persistent=False)
    model[1].eval()  # a mode of its own, which model.train() would overwrite
    before = snapshot(model)
    result = lr_range_test(model, blobs, steps=60)
    assert len(result.lrs) > 10
    assert_same(model, before)
    assert model.training and not model[1].training
    model.eval()
    model(blobs[0][:8]).sum().backward()  # gradients, and eval mode, are put back too
    before = snapshot(model)
    lr_range_test(model, blobs, steps=20)
    assert_same(model, before)
    assert not model.training


def test_the_model_is_put_back_when_the_loss_function_raises(blobs):
    model = small_net()
    before = snapshot(model)
    calls = []

    def failing(out, target):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("boom")
        return nn.functional.cross_entropy(out, target)

    with pytest.raises(RuntimeError, match="boom"):
        lr_range_test(model, blobs, loss_fn=failing, start_lr=1e-2, end_lr=10, steps=20)
    assert len(calls) == 5
    assert_same(model, before)


def test_an_optimizer_instance_is_used_and_put_back(blobs):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.123, momentum=0.9)
    model(blobs[0]).sum().backward()
    optimizer.step()  # some momentum state to keep
    saved = {k: v.clone() for k, v in optimizer.state[model.weight].items()}
    before = snapshot(model)
    lr_range_test(model, blobs, optimizer=optimizer, steps=15)
    assert optimizer.param_groups[0]["lr"] == 0.123
    assert all(torch.equal(saved[k], optimizer.state[model.weight][k]) for k in saved)
    assert_same(model, before)
    made = []
    lr_range_test(model, blobs, optimizer=lambda params, lr: made.append(lr) or torch.optim.Adam(params, lr=lr),
                  start_lr=3e-5, steps=5)  # fmt: skip
    assert made == [3e-5]


# ---------------------------------------------------------------- the plot
def test_the_plot(blobs):
    result = lr_range_test(small_net(), blobs, steps=80)
    fig = plot_lr_range(result)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate (log scale)"
    assert ax.get_ylabel() == "training loss" and ax.get_title() == "Learning-rate range test"
    raw, smooth = ax.lines[:2]
    assert list(raw.get_ydata()) == result.losses and list(smooth.get_ydata()) == result.smoothed
    assert raw.get_alpha() < 1 and smooth.get_linewidth() > raw.get_linewidth()
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in dashed] == [result.best_lr, result.suggestion]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[2].startswith("lowest loss") and labels[3].startswith("a tenth of it")
    assert tuple(fig.get_size_inches()) == pytest.approx((6.4, 4))
    first = [v for v in result.smoothed if math.isfinite(v)][0]
    assert ax.get_ylim()[1] == pytest.approx(1.5 * first)  # a diverging tail does not flatten the curve
    plt.close(fig)


def test_the_plot_draws_into_given_axes_and_clips_the_tail():
    result = LRRangeResult([1e-3, 1e-2, 1e-1, 1.0, 10.0], [2.0, 1.5, 1.0, 50.0, float("nan")],
                           [2.0, 1.8, 1.4, 20.0, float("nan")], 0.1, 0.01, True)  # fmt: skip
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_lr_range(result, ax=right, title="mine") is fig
    assert right.get_title() == "mine" and not left.lines
    low, high = right.get_ylim()
    assert high == pytest.approx(3.0) and 0 <= low < 1.0
    sub = plt.figure().subfigures(1, 2)[1].subplots()
    assert plot_lr_range(result, ax=sub) is sub.figure.figure


# ---------------------------------------------------------------- bad calls
@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        (dict(start_lr=0), ValueError, "start_lr"),
        (dict(start_lr=-1e-5), ValueError, "start_lr"),
        (dict(start_lr=float("nan")), ValueError, "start_lr"),
        (dict(start_lr="1e-5"), TypeError, "start_lr"),
        (dict(end_lr=float("inf")), ValueError, "end_lr"),
        (dict(end_lr=None), TypeError, "end_lr"),
        (dict(start_lr=1.0, end_lr=1.0), ValueError, "start_lr=1 must be smaller than end_lr=1"),
        (dict(start_lr=10.0, end_lr=1e-5), ValueError, "start_lr=10 must be smaller than end_lr=1e-05"),
        (dict(steps=1), ValueError, "steps=1 is too small"),
        (dict(steps=100.0), TypeError, "steps must be a whole number"),
        (dict(steps=True), TypeError, "steps must be a whole number"),
        (dict(batch_size=0), ValueError, "batch_size=0 is too small"),
        (dict(batch_size=-4), ValueError, "batch_size=-4"),
        (dict(batch_size=6.4), TypeError, "batch_size must be a whole number"),
        (dict(smoothing=0), ValueError, "smoothing=0 is impossible"),
        (dict(smoothing=1.5), ValueError, "smoothing=1.5 is impossible"),
        (dict(smoothing="0.05"), TypeError, "smoothing must be a number"),
        (dict(diverge=1), ValueError, "diverge=1 is impossible"),
        (dict(diverge=0.5), ValueError, "diverge=0.5 is impossible"),
        (dict(diverge=None), TypeError, "diverge must be a number"),
        (dict(optimizer="adam"), TypeError, "optimizer must be None, an Optimizer or an Optimizer class"),
    ],
)
def test_bad_arguments_get_clear_errors(blobs, kwargs, error, name):
    model = nn.Linear(4, 2)
    before = snapshot(model)
    with pytest.raises(error, match=re.escape(name)):
        lr_range_test(model, blobs, **kwargs)
    assert_same(model, before)


def test_bad_model_and_result():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got a function: call it first"):
        lr_range_test(lambda x: x, (torch.zeros(4, 2), torch.zeros(4, dtype=torch.long)))
    with pytest.raises(TypeError, match="result must be the LRRangeResult that lr_range_test returns, got dict"):
        plot_lr_range({"lrs": [1e-3]})
    with pytest.raises(ValueError, match="result has no steps recorded"):
        plot_lr_range(LRRangeResult([], [], [], 1e-3, 1e-4, False))
