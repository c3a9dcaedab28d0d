"""The one-cycle schedule explorer: the curves are OneCycleLR's, the figure, and the widget following its controls."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import ainotes.schedule_explorer
from ainotes.schedule_explorer import OneCycleExplorer, one_cycle_curves, schedule_figure


def scheduler_curves(max_lr, total_steps, **kwargs):
    """The learning rate and beta1 of each step, from a OneCycleLR stepped here as a training loop steps it."""
    weight = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.AdamW([weight], lr=max_lr)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total_steps, **kwargs)
    lrs, betas = [], []
    for _ in range(total_steps):
        weight.sum().backward()
        optimizer.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        betas.append(optimizer.param_groups[0]["betas"][0])
        scheduler.step()
    return np.array(lrs), np.array(betas)


SETTINGS = [
    (0.01, 860, {}),
    (0.1, 100, dict(pct_start=0.5, anneal_strategy="linear")),
    (3e-3, 37, dict(pct_start=0.25, div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9)),
    (1.0, 2000, dict(pct_start=0.9, div_factor=2.0, final_div_factor=1e5, base_momentum=0.9, max_momentum=0.9)),
    (0.05, 11, dict(pct_start=0.2, anneal_strategy="cos")),
]


# ---------------------------------------------------------------- the curves
@pytest.mark.parametrize(("max_lr", "total_steps", "kwargs"), SETTINGS)
def test_the_curves_are_onecyclelrs(max_lr, total_steps, kwargs):
    lr, momentum = one_cycle_curves(max_lr, total_steps, **kwargs)
    expected_lr, expected_momentum = scheduler_curves(max_lr, total_steps, **kwargs)
    assert lr.shape == momentum.shape == (total_steps,) and lr.dtype == momentum.dtype == np.float64
    np.testing.assert_allclose(lr, expected_lr, rtol=1e-12)
    np.testing.assert_allclose(momentum, expected_momentum, rtol=1e-12)


@pytest.mark.parametrize(("max_lr", "total_steps", "kwargs"), SETTINGS)
def test_start_peak_and_final(max_lr, total_steps, kwargs):
    lr, momentum = one_cycle_curves(max_lr, total_steps, **kwargs)
    div, final_div = kwargs.get("div_factor", 25.0), kwargs.get("final_div_factor", 1e4)
    pct_start = kwargs.get("pct_start", 0.3)
    assert lr[0] == pytest.approx(max_lr / div)
    assert lr.max() == pytest.approx(max_lr, rel=0.05)
    assert abs(int(lr.argmax()) - (pct_start * total_steps - 1)) <= 1
    assert lr[-1] == pytest.approx(max_lr / (div * final_div))
    peak = int(lr.argmax())
    assert momentum[0] == pytest.approx(kwargs.get("max_momentum", 0.95))
    assert momentum[peak] == pytest.approx(kwargs.get("base_momentum", 0.85), abs=0.01)
    rising, falling = np.diff(lr[: peak + 1]), np.diff(lr[peak:])
    assert (rising >= 0).all() and (falling <= 0).all()
    if kwargs.get("base_momentum", 0.85) < kwargs.get("max_momentum", 0.95):  # the momentum moves the opposite way
        assert (np.diff(momentum[: peak + 1]) <= 0).all() and (np.diff(momentum[peak:]) >= 0).all()
        np.testing.assert_array_less(np.diff(lr) * np.diff(momentum), 1e-15)


def test_the_chapters_schedule():
    lr, momentum = one_cycle_curves()
    assert len(lr) == 860 and int(lr.argmax()) == 257 and lr[257] == pytest.approx(0.01)
    assert lr[0] == pytest.approx(4e-4) and lr[-1] == pytest.approx(4e-8)
    assert momentum.min() == pytest.approx(0.85) and momentum.max() == pytest.approx(0.95)


def test_linear_and_cos_differ():
    cos, _ = one_cycle_curves(0.01, 100, anneal_strategy="cos")
    linear, _ = one_cycle_curves(0.01, 100, anneal_strategy="linear")
    assert cos[0] == pytest.approx(linear[0]) and cos[-1] == pytest.approx(linear[-1])
    assert not np.allclose(cos, linear)
    assert np.allclose(np.diff(linear[:29]), np.diff(linear[:29])[0])  # a straight warm-up
    assert not np.allclose(np.diff(cos[:29]), np.diff(cos[:29])[0])


def test_no_warning_reaches_the_notebook():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one_cycle_curves(0.01, 50)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_lr": 0}, ValueError, r"max_lr=0 is impossible: the peak learning rate must be positive"),
        ({"max_lr": -0.1}, ValueError, r"max_lr=-0\.1 is impossible"),
        ({"max_lr": "0.01"}, TypeError, r"max_lr must be a number, got '0\.01'"),
        ({"max_lr": float("nan")}, ValueError, r"max_lr=nan is not a finite number"),
        ({"total_steps": 1}, ValueError, r"total_steps=1 is too few: .* at least 2 steps"),
        ({"total_steps": 100.0}, TypeError, r"total_steps must be a whole number, got 100\.0"),
        ({"total_steps": True}, TypeError, r"total_steps must be a whole number"),
        ({"pct_start": 0}, ValueError, r"pct_start=0 is impossible: .* strictly between 0 and 1"),
        ({"pct_start": 1.0}, ValueError, r"pct_start=1 is impossible"),
        ({"pct_start": 30}, ValueError, r"pct_start=30 is impossible: .*0\.3 means 30%"),
        ({"pct_start": None}, TypeError, r"pct_start must be a number, got None"),
        ({"pct_start": 0.1, "total_steps": 10}, ValueError, r"pct_start=0\.1 of total_steps=10 is a warm-up of 1 step"),
        ({"pct_start": 0.05, "total_steps": 10}, ValueError, r"is a warm-up of 0\.5 step\(s\): it must last more"),
        ({"div_factor": 0}, ValueError, r"div_factor=0 is impossible: .* must be positive"),
        ({"div_factor": -25}, ValueError, r"div_factor=-25 is impossible"),
        ({"final_div_factor": -1e4}, ValueError, r"final_div_factor=-10000 is impossible"),
        ({"final_div_factor": "1e4"}, TypeError, r"final_div_factor must be a number"),
        ({"anneal_strategy": "cosine"}, ValueError, r"anneal_strategy must be \"cos\" or \"linear\", got 'cosine'"),
        ({"anneal_strategy": None}, ValueError, r"anneal_strategy must be"),
        ({"base_momentum": 0.95, "max_momentum": 0.85}, ValueError, r"base_momentum=0\.95 is larger than max_momentum"),
        ({"max_momentum": 1.0}, ValueError, r"max_momentum=1 is impossible: Adam's beta1"),
        ({"base_momentum": -0.1}, ValueError, r"base_momentum=-0\.1 is impossible"),
    ],
)
def test_curves_and_figure_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        one_cycle_curves(**kwargs)
    with pytest.raises(error, match=match):
        schedule_figure(**kwargs)


def test_equal_momenta_keep_the_momentum_still():
    _, momentum = one_cycle_curves(0.01, 100, base_momentum=0.9, max_momentum=0.9)
    assert np.allclose(momentum, 0.9)


# ---------------------------------------------------------------- the figure
def test_figure_shows_both_curves_and_the_settings():
    fig = schedule_figure()
    lr_ax, momentum_ax = fig.axes
    assert fig.get_figwidth() == pytest.approx(9.6)
    assert lr_ax.get_xlabel() == momentum_ax.get_xlabel() == "optimiser step"
    assert lr_ax.get_ylabel() == "learning rate" and momentum_ax.get_ylabel() == "momentum (Adam's beta1)"
    lr, momentum = one_cycle_curves()
    np.testing.assert_allclose(lr_ax.lines[0].get_ydata(), lr)
    np.testing.assert_allclose(momentum_ax.lines[0].get_ydata(), momentum)
    for ax in (lr_ax, momentum_ax):  # a dotted line where the warm-up ends
        dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
        assert len(dotted) == 1 and dotted[0].get_xdata()[0] == pytest.approx(257)
    assert [t.get_text() for t in lr_ax.texts] == ["start 0.0004", "peak 0.01 at step 257", "final 4e-08"]
    title = fig.get_suptitle()
    for part in ("860 steps", "peak lr 0.01", "pct_start 0.3", "div_factor 25", "final_div_factor 10000", "cos"):
        assert part in title, title


def test_figure_follows_the_settings():
    fig = schedule_figure(0.1, 100, pct_start=0.85, anneal_strategy="linear", div_factor=5, final_div_factor=10)
    assert "linear annealing" in fig.get_suptitle() and "peak lr 0.1," in fig.get_suptitle()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["start 0.02", "peak 0.1 at step 84", "final 0.002"]
    assert fig.axes[0].texts[1].get_horizontalalignment() == "right"  # a late peak is labelled on its left


# ---------------------------------------------------------------- the widget
@pytest.fixture
def shown(monkeypatch):
    """What the explorer's figure area receives: ("display", figure title) or ("clear", wait)."""
    events = []
    monkeypatch.setattr(
        ainotes.schedule_explorer, "show_figure", lambda fig: events.append(("display", fig.get_suptitle()))
    )
    monkeypatch.setattr(ainotes.schedule_explorer.w.Output, "clear_output",
                        lambda self, wait=False: events.append(("clear", wait)))  # fmt: skip
    return events


def displayed(events):
    return [title for kind, title in events if kind == "display"]


def test_explorer_shows_the_default_schedule_at_creation(shown):
    explorer = OneCycleExplorer()
    assert len(displayed(shown)) == 1 and displayed(shown)[0] == schedule_figure().get_suptitle()
    assert explorer.drawn == dict(max_lr=0.01, total_steps=860, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
                                  anneal_strategy="cos", base_momentum=0.85, max_momentum=0.95,
                                  start=pytest.approx(4e-4), peak=pytest.approx(0.01), final=pytest.approx(4e-8),
                                  warmup_steps=258, title=displayed(shown)[0])  # fmt: skip
    assert explorer.caption.value == (
        "<p>Start lr <b>0.0004</b> (max_lr / div_factor), peak <b>0.01</b> at step 257, final <b>4e-08</b> "
        "(max_lr / (div_factor × final_div_factor)); the warm-up takes 258 of the 860 steps.</p>"
    )
    assert (explorer.max_lr.min, explorer.max_lr.max) == (-4, 0)  # FloatLogSlider's exponents: 1e-4 to 1
    assert (explorer.pct_start.min, explorer.pct_start.max) == (0.05, 0.9)
    assert (explorer.div_factor.min, explorer.div_factor.max) == (0, 3)
    assert (explorer.final_div_factor.min, explorer.final_div_factor.max) == (0, 5)
    assert (explorer.momentum.min, explorer.momentum.max) == (0.5, 0.99) and explorer.momentum.value == (0.85, 0.95)
    assert (explorer.total_steps.min, explorer.total_steps.max) == (10, 5000)
    assert explorer.anneal_strategy.options == ("cos", "linear")
    assert explorer.children[0].layout.flex_flow == "row wrap"
    plt.close("all")  # the test's own schedule_figure
    assert plt.get_fignums() == []


def test_every_control_redraws(shown):
    explorer = OneCycleExplorer()
    assert plt.get_fignums() == []
    explorer.max_lr.value = 0.1
    assert "peak lr 0.1," in displayed(shown)[-1] and explorer.drawn["peak"] == pytest.approx(0.1)
    explorer.pct_start.value = 0.5
    assert "pct_start 0.5" in displayed(shown)[-1] and explorer.drawn["warmup_steps"] == 430
    explorer.div_factor.value = 10
    assert explorer.drawn["start"] == pytest.approx(0.01) and "div_factor 10," in displayed(shown)[-1]
    explorer.final_div_factor.value = 100
    assert explorer.drawn["final"] == pytest.approx(1e-4) and "final_div_factor 100," in displayed(shown)[-1]
    explorer.anneal_strategy.value = "linear"
    assert displayed(shown)[-1].endswith("linear annealing")
    explorer.momentum.value = (0.8, 0.9)
    assert (explorer.drawn["base_momentum"], explorer.drawn["max_momentum"]) == (0.8, 0.9)
    explorer.total_steps.value = 200
    assert "over 200 steps" in displayed(shown)[-1] and explorer.drawn["warmup_steps"] == 100
    assert "the warm-up takes 100 of the 200 steps" in explorer.caption.value
    assert len(displayed(shown)) == 8 and all(event == ("clear", True) for event in shown[::2])
    assert plt.get_fignums() == []  # each figure is closed once shown


def test_impossible_settings_show_the_error_instead_of_a_figure(shown):
    explorer = OneCycleExplorer(total_steps=10)
    explorer.pct_start.value = 0.05  # half a step of warm-up
    assert shown[-1] == ("clear", False) and len(displayed(shown)) == 1
    assert explorer.caption.value.startswith('<p style="color:#cf222e"><b>Impossible settings:</b> pct_start=0.05')
    assert "error" in explorer.drawn and "start" not in explorer.drawn
    explorer.total_steps.value = 100  # possible again: drawn again
    assert "error" not in explorer.drawn and len(displayed(shown)) == 2 and "Impossible" not in explorer.caption.value


def test_show_false_draws_at_the_first_change(shown):
    explorer = OneCycleExplorer(show=False)
    assert displayed(shown) == [] and explorer.drawn["title"] is None and "Start lr" in explorer.caption.value
    explorer.update()
    assert len(displayed(shown)) == 1 and explorer.drawn["title"] == displayed(shown)[0]


def test_explorer_takes_its_arguments(shown):
    explorer = OneCycleExplorer(3e-3, 500, pct_start=0.25, div_factor=10, final_div_factor=100,
                                anneal_strategy="linear", momentum=(0.8, 0.9))  # fmt: skip
    assert explorer.settings() == dict(max_lr=3e-3, total_steps=500, pct_start=0.25, div_factor=10,
                                       final_div_factor=100, anneal_strategy="linear", base_momentum=0.8,
                                       max_momentum=0.9)  # fmt: skip
    assert explorer.drawn["start"] == pytest.approx(3e-4) and explorer.drawn["warmup_steps"] == 125


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_lr": 5.0}, ValueError, r"max_lr: 5 is outside the explorer's range: give 0\.0001 to 1"),
        ({"max_lr": 0}, ValueError, r"max_lr=0 is impossible"),
        ({"total_steps": 6000}, ValueError, r"total_steps: 6000 is outside the explorer's range: give 10 to 5000"),
        ({"total_steps": 860.0}, TypeError, r"total_steps must be a whole number"),
        ({"pct_start": 0.95}, ValueError, r"pct_start: 0\.95 is outside the explorer's range: give 0\.05 to 0\.9"),
        ({"div_factor": 0.5}, ValueError, r"div_factor: 0\.5 is outside the explorer's range"),
        ({"final_div_factor": 1e6}, ValueError, r"final_div_factor: 1e\+06 is outside the explorer's range"),
        ({"anneal_strategy": "step"}, ValueError, r"anneal_strategy must be \"cos\" or \"linear\""),
        ({"momentum": 0.9}, TypeError, r"momentum must be a pair \(base_momentum, max_momentum\), got 0\.9"),
        ({"momentum": (0.85, 0.9, 0.95)}, TypeError, r"momentum must be a pair"),
        ({"momentum": (0.95, 0.85)}, ValueError, r"base_momentum=0\.95 is larger than max_momentum=0\.85"),
        ({"momentum": (0.3, 0.9)}, ValueError, r"momentum: 0\.3 is outside the explorer's range: give 0\.5 to 0\.99"),
    ],
)
def test_explorer_refuses_bad_arguments(shown, kwargs, error, match):
    with pytest.raises(error, match=match):
        OneCycleExplorer(**kwargs)
    assert shown == []  # refused before anything is drawn
