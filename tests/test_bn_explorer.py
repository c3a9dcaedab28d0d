"""The batch-norm explorer: the view is BatchNorm2d's own output in both modes, the caller's model is untouched,
the figure, and the widget following its controls."""

import contextlib
import copy
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

import ainotes.bn_explorer
from ainotes.bn_explorer import BatchNormExplorer, batchnorm_figure, batchnorm_view

N_IMAGES = 256


def conv(ni, nf, ks=3, act=True):
    layers = [nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)]
    if act:
        layers.append(nn.ReLU())
    layers.append(nn.BatchNorm2d(nf))
    return nn.Sequential(*layers)


def chapter_model():
    """Chapter 5's CNN with BN in every block, as chapter 6 trains it."""
    return nn.Sequential(conv(1, 8, 5), conv(8, 16), conv(16, 32), conv(32, 64), conv(64, 10, act=False), nn.Flatten())


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one thread is fastest, and does not fight a busy machine's other work."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data():
    """Images made of a class pattern plus noise, and a model trained on them for a few steps: its BN layers have
    learned gammas and betas and running statistics of their own."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    patterns = torch.randn(10, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (N_IMAGES,), generator=generator)
    images = patterns[labels] + 1.5 * torch.randn(N_IMAGES, 1, 28, 28, generator=generator)
    torch.manual_seed(0)
    model = chapter_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for step in range(15):
        batch = torch.arange(step * 32, step * 32 + 64) % N_IMAGES
        loss = nn.functional.cross_entropy(model(images[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    torch.set_num_threads(threads)
    return model, images, labels


def layer_of(model, name):
    return dict(model.named_modules())[name]


def in_train_mode(model, layer, batch):
    """The BN layer's input and output when a copy of the model runs in training mode on the batch."""
    clone = copy.deepcopy(model).train()
    seen = {}
    layer_of(clone, layer).register_forward_hook(lambda _, args, output: seen.update(input=args[0], output=output))
    with torch.no_grad():
        clone(batch)
    return seen["input"], seen["output"]


# ---------------------------------------------------------------- the view
@pytest.mark.parametrize(
    ("layer", "channel", "batch_size"),
    [("0.2", 3, 64), ("1.2", 0, 64), ("2.2", 31, 16), ("3.2", 5, 8), ("4.1", 7, 2), ("4.1", 2, 128)],
)
def test_after_train_is_the_layers_train_mode_output(data, layer, channel, batch_size):
    model, images, labels = data
    view = batchnorm_view(model, images, labels, layer=layer, channel=channel, batch_size=batch_size, image=9)
    layer_input, output = in_train_mode(model, layer, images[view["batch"]])
    assert view["before"].shape == (layer_input[:, channel].numel(),) and view["before"].dtype == torch.float32
    torch.testing.assert_close(view["before"], layer_input[:, channel].reshape(-1))
    torch.testing.assert_close(view["after_train"], output[:, channel].reshape(-1), atol=1e-5, rtol=1e-4)
    eval_layer = copy.deepcopy(layer_of(model, layer)).eval()  # the same input, normalised with the running statistics
    with torch.no_grad():
        torch.testing.assert_close(view["after_eval"], eval_layer(layer_input)[:, channel].reshape(-1))


def test_the_first_layers_eval_output_is_the_eval_mode_models(data):
    """The first BN layer's input is the same in both modes, so after_eval is what model.eval() computes there."""
    model, images, labels = data
    view = batchnorm_view(model, images, labels, layer="0.2", channel=5, batch_size=32, image=4)
    clone, seen = copy.deepcopy(model).eval(), {}
    layer_of(clone, "0.2").register_forward_hook(lambda _, args, output: seen.update(output=output))
    with torch.no_grad():
        clone(images[view["batch"]])
    torch.testing.assert_close(view["after_eval"], seen["output"][:, 5].reshape(-1))


def test_statistics_and_learned_gamma_beta(data):
    model, images, labels = data
    view = batchnorm_view(model, images, labels, layer="1.2", channel=6)
    bn, before = layer_of(model, "1.2"), view["before"].double()
    assert (view["layer"], view["channel"], view["batch_size"], view["image"]) == ("1.2", 6, 64, 0)
    assert view["gamma"] == pytest.approx(bn.weight[6].item()) and view["beta"] == pytest.approx(bn.bias[6].item())
    assert view["gamma"] != pytest.approx(1.0)  # trained: not the initial values
    assert view["batch_mean"] == pytest.approx(float(before.mean()))
    assert view["batch_std"] == pytest.approx(float((before.var(unbiased=False) + bn.eps).sqrt()))
    assert view["running_mean"] == pytest.approx(float(bn.running_mean[6]))
    assert view["running_std"] == pytest.approx(float((bn.running_var[6] + bn.eps).sqrt()))
    assert view["running_mean"] != pytest.approx(0.0)  # trained: not the initial buffers
    z = (view["after_train"] - view["beta"]) / view["gamma"]  # standardised with the batch's statistics
    assert float(z.mean()) == pytest.approx(0, abs=1e-5) and float(z.std(unbiased=False)) == pytest.approx(1, abs=1e-3)


def test_chosen_gamma_and_beta(data):
    model, images, labels = data
    learned = batchnorm_view(model, images, labels, channel=2, batch_size=16)
    chosen = batchnorm_view(model, images, labels, channel=2, batch_size=16, gamma=2.0, beta=-1.5)
    assert (chosen["gamma"], chosen["beta"]) == (2.0, -1.5)
    torch.testing.assert_close(chosen["before"], learned["before"])
    for key in ("after_train", "after_eval"):
        standard = (learned[key] - learned["beta"]) / learned["gamma"]
        torch.testing.assert_close(chosen[key], 2.0 * standard - 1.5, atol=1e-5, rtol=1e-5)
    flat = batchnorm_view(model, images, labels, channel=2, batch_size=16, gamma=0, beta=0.5)
    assert torch.all(flat["after_train"] == 0.5) and torch.all(flat["after_eval"] == 0.5)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_the_callers_model_is_unchanged(data, mode):
    model, images, labels = data
    model = copy.deepcopy(model).train(mode == "train")
    before = {key: value.clone() for key, value in model.state_dict().items()}
    flags = [module.training for module in model.modules()]
    rng = torch.get_rng_state()
    for layer in ("0.2", "4.1"):
        batchnorm_view(model, images, labels, layer=layer, batch_size=8, companions=3)
    after = model.state_dict()
    assert before.keys() == after.keys() and all(torch.equal(before[key], after[key]) for key in before)
    assert [module.training for module in model.modules()] == flags and model.training == (mode == "train")
    assert torch.equal(torch.get_rng_state(), rng)
    assert all(not hooks for module in model.modules() for hooks in (module._forward_pre_hooks, module._forward_hooks))


def test_the_batch(data):
    model, images, labels = data
    for image, batch_size, seed in ((0, 64, 0), (255, 2, 1), (100, 256, 3), (17, 31, 4)):
        batch = batchnorm_view(model, images, labels, batch_size=batch_size, image=image, seed=seed, companions=1)
        batch = batch["batch"]
        assert batch[0] == image and len(batch) == batch_size == len(set(batch))
        assert all(0 <= index < N_IMAGES for index in batch)
    first = batchnorm_view(model, images, labels, seed=5, companions=1)["batch"]
    assert batchnorm_view(model, images, labels, seed=5, companions=1)["batch"] == first
    assert batchnorm_view(model, images, labels, seed=6, companions=1)["batch"] != first


def test_train_mode_depends_on_the_batch_eval_mode_does_not(data):
    model, images, labels = data
    view = batchnorm_view(model, images, labels, batch_size=2, image=3, companions=12)
    assert len(view["train_probs"]) == 12 and all(0 <= p <= 1 for p in view["train_probs"])
    assert len(set(view["train_probs"])) > 1 and max(view["train_probs"]) - min(view["train_probs"]) > 0.01
    clone = copy.deepcopy(model).eval()
    with torch.no_grad():
        probs = clone(images[3:4]).softmax(dim=1)[0]
    assert view["label"] == int(labels[3])
    assert view["eval_prob"] == pytest.approx(float(probs[view["label"]]), abs=1e-6)
    assert view["eval_pred"] == int(probs.argmax())
    other = batchnorm_view(model, images, labels, batch_size=64, image=3, companions=12, seed=1)
    assert other["eval_prob"] == view["eval_prob"] and other["train_probs"] != view["train_probs"]
    again = batchnorm_view(model, images, labels, batch_size=2, image=3, companions=12)
    assert again["train_probs"] == view["train_probs"]  # reproducible


def test_the_layer_itself_and_a_model_without_parameters(data):
    model, images, labels = data
    view = batchnorm_view(model, images, labels, layer=model[3][2], channel=1, batch_size=4)
    assert view["layer"] == "3.2"
    fixed = nn.Sequential(nn.BatchNorm2d(1, affine=False), nn.AdaptiveAvgPool2d(4), nn.Flatten())
    view = batchnorm_view(fixed, images, labels, layer="0", batch_size=4)
    assert (view["gamma"], view["beta"], view["running_mean"]) == (1.0, 0.0, 0.0)  # no affine; fresh buffers
    assert view["running_std"] == pytest.approx(1, abs=1e-4)
    torch.testing.assert_close(view["after_eval"], view["before"], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layer": "1.0"}, ValueError, r"layer='1\.0' is a Conv2d, not a BatchNorm2d layer: give one of the model's "
                                       r"BatchNorm2d layers: '0\.2', '1\.2', '2\.2', '3\.2', '4\.1'"),
        ({"layer": "9.9"}, ValueError, r"layer='9\.9' is no layer of the model.*'0\.2', '1\.2'"),
        ({"layer": 2}, TypeError, r"layer must be a layer's name or the layer itself, got 2: .*'4\.1'"),
        ({"layer": nn.BatchNorm2d(16)}, ValueError, r"layer: the BatchNorm2d given is not part of the model"),
        ({"channel": 16}, ValueError, r"channel=16 is out of range: layer '1\.2' has 16 channels, give 0 to 15"),
        ({"channel": -1}, ValueError, r"channel=-1 is out of range"),
        ({"channel": 1.0}, TypeError, r"channel must be a whole number, got 1\.0"),
        ({"batch_size": 1}, ValueError, r"batch_size=1 is too small: give at least 2\. In train mode .* batch of 1"),
        ({"batch_size": 257}, ValueError, r"batch_size=257 is more than the 256 images given: give 2 to 256"),
        ({"batch_size": "64"}, TypeError, r"batch_size must be a whole number, got '64'"),
        ({"image": 256}, ValueError, r"image=256 is out of range: there are 256 images, give 0 to 255"),
        ({"image": -1}, ValueError, r"image=-1 is out of range"),
        ({"gamma": "1"}, TypeError, r"gamma must be a number, got '1'"),
        ({"beta": float("nan")}, ValueError, r"beta=nan is not a finite number"),
        ({"companions": 0}, ValueError, r"companions=0 is too small: give at least 1"),
        ({"seed": None}, TypeError, r"seed must be a whole number, got None"),
        ({"images": "uint8"}, TypeError, r"images must be a float tensor \(N, C, H, W\), got a torch\.uint8 tensor"),
        ({"images": "3-D"}, ValueError, r"images must be 4-D \(N, C, H, W\), got shape \(256, 28, 28\)"),
        ({"images": "list"}, TypeError, r"images must be a float tensor .*got list"),
        ({"labels": "short"}, ValueError, r"labels has 255 values but images has 256 images"),
        ({"labels": "float"}, TypeError, r"labels must be a 1-D integer tensor .*got a torch\.float32 tensor"),
        ({"model": "no BN"}, ValueError, r"layer='1\.2' is no layer of the model.*the model has no BatchNorm2d layer"),
        ({"model": "string"}, TypeError, r"model must be a torch\.nn\.Module, got 'cnn' \(str\)"),
    ],
)  # fmt: skip
def test_view_errors(data, kwargs, error, match):
    model, images, labels = data
    changed = {"uint8": images.to(torch.uint8), "3-D": images[:, 0], "list": images.tolist()[:2]}
    images = changed.get(kwargs.pop("images", None), images)
    labels = {"short": labels[:-1], "float": labels.float()}.get(kwargs.pop("labels", None), labels)
    model = {"no BN": nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten()), "string": "cnn"}.get(kwargs.pop("model", None),
                                                                                          model)  # fmt: skip
    with pytest.raises(error, match=match):
        batchnorm_view(model, images, labels, **kwargs)


# ---------------------------------------------------------------- the figure
def test_the_figure(data):
    model, images, labels = data
    view = batchnorm_view(model, images, labels, layer="1.2", channel=0, batch_size=64, image=7, companions=10)
    fig = batchnorm_figure(view)
    assert len(fig.axes) == 3 and fig.get_figwidth() == pytest.approx(9.6)
    before_ax, after_ax, probs_ax = fig.axes
    titles = [" ".join(ax.get_title().split()) for ax in fig.axes]
    assert titles[0] == "Layer 1.2, channel 0: input of BN (batch of 64)"
    assert titles[1] == f"After BN with γ = {view['gamma']:.2f}, β = {view['beta']:.2f}"
    label = int(labels[7])
    assert titles[2] == f"Image 7 ({'an' if label == 8 else 'a'} {label}): train mode depends on the batch"
    assert [ax.get_xlabel() for ax in fig.axes] == ["value before BN", "value after BN", "companion batch"]
    assert [ax.get_ylabel() for ax in fig.axes] == ["number of values", "number of values",
                                                    "probability of the true class"]  # fmt: skip
    means = sorted(line.get_xdata()[0] for line in before_ax.lines)
    assert means == pytest.approx(sorted([view["batch_mean"], view["running_mean"]]))
    legend = [text.get_text() for text in after_ax.get_legend().get_texts()]
    assert legend == ["train mode (batch statistics)", "eval mode (running statistics)"]
    assert after_ax.patches[0].get_facecolor() != (0, 0, 0, 0)  # train mode filled, eval mode an outline
    dots, eval_line = probs_ax.lines[1], probs_ax.lines[0]
    np.testing.assert_allclose(dots.get_xdata(), np.arange(1, 11))
    np.testing.assert_allclose(dots.get_ydata(), view["train_probs"])
    assert eval_line.get_ydata()[0] == pytest.approx(view["eval_prob"]) and probs_ax.get_ylim() == (-0.02, 1.04)
    assert f"mean {view['batch_mean']:.3g}" in fig.get_suptitle()
    assert f"running mean {view['running_mean']:.3g}" in fig.get_suptitle()
    sizes = [ax.title.get_fontsize() for ax in fig.axes] + [ax.xaxis.label.get_fontsize() for ax in fig.axes]
    assert min(sizes) >= 9


def test_the_article():
    assert [ainotes.bn_explorer._a(label) for label in (7, 8, 0, 11, 18, 80)] == ["a 7", "an 8", "a 0", "an 11",
                                                                                  "an 18", "an 80"]  # fmt: skip


# ---------------------------------------------------------------- the widget
@pytest.fixture
def shown(monkeypatch):
    """What the explorer's figure area receives: ("display", figure title) or ("clear", wait)."""
    events = []
    monkeypatch.setattr(ainotes.bn_explorer, "show_figure", lambda fig: events.append(("display", fig.get_suptitle())))
    monkeypatch.setattr(ainotes.bn_explorer.w.Output, "clear_output",
                        lambda self, wait=False: events.append(("clear", wait)))  # fmt: skip
    return events


def displayed(events):
    return [title for kind, title in events if kind == "display"]


def test_explorer_draws_the_default_view_at_creation(data, shown):
    model, images, labels = data
    flags = [module.training for module in model.modules()]
    explorer = BatchNormExplorer(model, images, labels)
    view = batchnorm_view(model, images, labels)
    assert len(displayed(shown)) == 1 and explorer.drawn["title"] == displayed(shown)[0]
    assert explorer.drawn["title"] == batchnorm_figure(view).get_suptitle()
    expected = {key: value for key, value in view.items() if not isinstance(value, torch.Tensor)}
    assert explorer.drawn == {**expected, "title": displayed(shown)[0]}
    assert not any(isinstance(value, torch.Tensor) for value in explorer.drawn.values())
    assert explorer.batch_size.options == (2, 4, 8, 16, 32, 64, 128, 256) and explorer.batch_size.value == 64
    assert (explorer.gamma.min, explorer.gamma.max, explorer.gamma.step) == (-3, 3, 0.05)
    assert (explorer.beta.min, explorer.beta.max) == (-3, 3)
    assert explorer.gamma.value == pytest.approx(round(view["gamma"] / 0.05) * 0.05)
    assert (explorer.channel.min, explorer.channel.max) == (0, 15) and (explorer.image.min, explorer.image.max) == (
        0, 255)  # fmt: skip
    assert explorer.children[0].layout.flex_flow == "row wrap"
    assert all(control.continuous_update is False for control in (explorer.batch_size, explorer.gamma,
                                                                   explorer.beta, explorer.channel))  # fmt: skip
    caption = explorer.caption.value
    assert f"mean <b>{view['batch_mean']:.3g}</b>" in caption and f"<b>{view['running_std']:.3g}</b>" in caption
    assert f"<b>{min(view['train_probs']):.2f}</b> to <b>{max(view['train_probs']):.2f}</b>" in caption
    assert f"always <b>{view['eval_prob']:.2f}</b>" in caption
    assert [module.training for module in model.modules()] == flags
    plt.close("all")
    assert plt.get_fignums() == []


def test_every_control_redraws(data, shown):
    model, images, labels = data
    explorer = BatchNormExplorer(model, images, labels, companions=4)
    explorer.batch_size.value = 8
    assert explorer.drawn["batch_size"] == 8 and "batch of 8" in explorer.caption.value
    explorer.gamma.value = 2.0
    assert explorer.drawn["gamma"] == 2.0  # the slider's value; beta still exactly the learned one
    assert explorer.drawn["beta"] == pytest.approx(layer_of(model, "1.2").bias[0].item())
    explorer.beta.value = -0.5
    assert (explorer.drawn["gamma"], explorer.drawn["beta"]) == (2.0, -0.5)
    explorer.image.value = 12
    assert explorer.drawn["image"] == 12 and explorer.drawn["batch"][0] == 12
    assert len(displayed(shown)) == 5 and all(title is not None for title in displayed(shown))
    assert plt.get_fignums() == []  # each figure is closed once shown


def test_changing_channel_or_the_button_resets_gamma_and_beta(data, shown):
    model, images, labels = data
    bn = layer_of(model, "1.2")
    explorer = BatchNormExplorer(model, images, labels, gamma=2.0, beta=1.0, companions=2)
    assert (explorer.drawn["gamma"], explorer.drawn["beta"]) == (2.0, 1.0)
    explorer.channel.value = 3
    assert explorer.drawn["channel"] == 3 and len(displayed(shown)) == 2  # one redraw, not three
    assert explorer.drawn["gamma"] == pytest.approx(bn.weight[3].item())  # exactly the learned values
    assert explorer.drawn["beta"] == pytest.approx(bn.bias[3].item())
    assert explorer.gamma.value == pytest.approx(round(bn.weight[3].item() / 0.05) * 0.05)
    explorer.gamma.value = -1.0
    assert explorer.drawn["gamma"] == -1.0
    explorer.learned.click()
    assert explorer.drawn["gamma"] == pytest.approx(bn.weight[3].item()) and len(displayed(shown)) == 4


def test_show_false_draws_at_the_first_change(data, shown):
    model, images, labels = data
    explorer = BatchNormExplorer(model, images, labels, show=False, companions=2)
    assert displayed(shown) == [] and explorer.drawn["title"] is None and "This batch of 64" in explorer.caption.value
    explorer.update()
    assert len(displayed(shown)) == 1 and explorer.drawn["title"] == displayed(shown)[0]


def test_errors_are_shown_in_red(data, shown, monkeypatch):
    model, images, labels = data
    explorer = BatchNormExplorer(model, images, labels, companions=2)

    def refuse(*args, **kwargs):
        raise ValueError("batch_size=2 is <too> small")

    monkeypatch.setattr(ainotes.bn_explorer, "batchnorm_view", refuse)
    explorer.batch_size.value = 2
    assert explorer.caption.value == ('<p style="color:#cf222e"><b>Impossible settings:</b> batch_size=2 is '
                                      "&lt;too&gt; small</p>")  # fmt: skip
    assert shown[-1] == ("clear", False) and explorer.drawn["error"] == "batch_size=2 is <too> small"
    assert explorer.drawn["batch_size"] == 2 and len(displayed(shown)) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"batch_size": 3}, ValueError, r"batch_size=3 is not on the slider: give one of 2, 4, 8, 16, .*, 256\."),
        ({"batch_size": 1}, ValueError, r"batch_size=1 is too small"),
        ({"gamma": 5.0}, ValueError, r"gamma=5 is outside the sliders' range: give -3 to 3"),
        ({"beta": -4}, ValueError, r"beta=-4 is outside the sliders' range"),
        ({"gamma": "2"}, TypeError, r"gamma must be a number"),
        ({"layer": "1.1"}, ValueError, r"layer='1\.1' is a ReLU, not a BatchNorm2d layer"),
        ({"channel": 16}, ValueError, r"channel=16 is out of range"),
        ({"image": 256}, ValueError, r"image=256 is out of range"),
    ],
)
def test_explorer_refuses_bad_arguments(data, shown, kwargs, error, match):
    model, images, labels = data
    with pytest.raises(error, match=match):
        BatchNormExplorer(model, images, labels, **kwargs)
    assert shown == []  # refused before anything is drawn


def test_the_doctest_way(data):
    """As a notebook cell outside Jupyter: the figure goes to stdout as text."""
    model, images, labels = data
    with contextlib.redirect_stdout(io.StringIO()):
        explorer = BatchNormExplorer(model, images[:40], labels[:40], batch_size=32, companions=2)
    assert explorer.batch_size.options == (2, 4, 8, 16, 32) and explorer.drawn["title"] is not None
