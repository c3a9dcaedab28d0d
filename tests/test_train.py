import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ainotes.train import History, count_parameters, evaluate, fit, predict, seed_everything, summary


def blobs(n=512, seed=0):
    """Two well-separated clusters: any working training loop reaches ~100% accuracy."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) * 0.5 + (y.float() * 4 - 2).unsqueeze(1)
    return x, y


def fashion_convnet():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip


# ---------------------------------------------------------------- fit learns and records
def test_fit_learns_and_records_every_epoch_and_step():
    seed_everything(0)
    x, y = blobs()
    history = fit(nn.Linear(2, 2), (x, y), (x, y), epochs=3, batch_size=50, lr=0.05, progress=False, verbose=False)
    assert isinstance(history, History) and history.epochs == 3
    assert len(history.valid_acc) == 3 and len(history.epoch_seconds) == 3
    assert len(history.lr) == len(history.momentum) == 3 * 11  # ceil(512 / 50) steps per epoch
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.valid_acc[-1] > 0.97


@pytest.mark.parametrize("wrap", [TensorDataset, lambda x, y: DataLoader(TensorDataset(x, y), batch_size=32)])
def test_fit_accepts_datasets_and_dataloaders(wrap):
    seed_everything(0)
    x, y = blobs()
    history = fit(nn.Linear(2, 2), wrap(x, y), wrap(x, y), epochs=2, lr=0.05, progress=False, verbose=False)
    assert history.valid_acc[-1] > 0.97


def test_fit_prints_one_line_per_epoch(capsys):
    x, y = blobs(64)
    fit(nn.Linear(2, 2), (x, y), (x, y), epochs=2, progress=False)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2 train loss") and "valid loss" in lines[1]


def test_progress_bar_goes_to_stderr_and_epoch_lines_to_stdout(capsys):
    x, y = blobs(64)
    fit(nn.Linear(2, 2), (x, y), epochs=3, batch_size=16, progress=True)
    captured = capsys.readouterr()
    assert [line[:9] for line in captured.out.strip().splitlines()] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert "12/12" in captured.err  # one bar over all 3 x 4 steps


def test_epoch_lines_align_for_ten_or_more_epochs():
    history = History(train_loss=[0.5] * 12, train_acc=[0.9] * 12, epoch_seconds=[1.0] * 12)
    assert history.epoch_line(0) == "epoch  1/12 train loss 0.500 acc 90.00% | 1.0 s"
    assert str(history).splitlines()[11].startswith("epoch 12/12")


def test_fit_is_deterministic_when_seeded():
    x, y = blobs()
    runs = []
    for _ in range(2):
        seed_everything(3)
        runs.append(fit(nn.Linear(2, 2), (x, y), epochs=2, progress=False, verbose=False).train_loss)
    assert runs[0] == runs[1]


def test_one_cycle_warms_up_then_anneals_with_opposite_momentum():
    x, y = blobs()
    h = fit(nn.Linear(2, 2), (x, y), epochs=4, batch_size=32, lr=0.01, one_cycle=True, progress=False, verbose=False)
    peak = max(range(len(h.lr)), key=h.lr.__getitem__)
    assert h.lr[0] < 0.01 / 10 and h.lr[-1] < 0.01 / 1000
    assert h.lr[peak] == pytest.approx(0.01, rel=0.01) and 0.2 < peak / len(h.lr) < 0.4
    assert h.momentum[0] == pytest.approx(0.95) and h.momentum[peak] == pytest.approx(0.85, abs=1e-3)


def test_constant_learning_rate_without_one_cycle():
    x, y = blobs(64)
    h = fit(nn.Linear(2, 2), (x, y), lr=0.02, optimizer=torch.optim.SGD, progress=False, verbose=False)
    assert set(h.lr) == {0.02}


class ModeRecorder(nn.Module):
    """Records whether each forward pass ran in training mode and with gradients."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.linear(x)


def test_fit_switches_between_train_and_eval():
    x, y = blobs(64)
    model = ModeRecorder()
    fit(model, (x, y), (x, y), epochs=2, batch_size=32, progress=False, verbose=False)
    # per epoch: 2 training steps with gradients, then 1 validation batch in eval mode without them
    assert model.calls == [(True, True), (True, True), (False, False)] * 2
    assert model.training


def test_evaluate_and_predict_restore_the_mode():
    x, y = blobs(64)
    model = ModeRecorder()
    result = evaluate(model, (x, y))
    assert 0 <= result.accuracy <= 1 and result.loss > 0 and model.training
    assert predict(model, x).shape == (64,) and model.training
    model.eval()
    evaluate(model, (x, y))
    assert not model.training


def test_predict_matches_argmax():
    x, _ = blobs(300)
    model = nn.Linear(2, 2)
    assert torch.equal(predict(model, x, batch_size=64), model(x).argmax(1))


def test_fit_moves_the_model_to_the_requested_device():
    x, y = blobs(64)
    model = nn.Linear(2, 2)
    fit(model, (x, y), device="cpu", progress=False, verbose=False)
    assert next(model.parameters()).device.type == "cpu"


# ---------------------------------------------------------------- bad inputs
def test_labels_beyond_the_model_outputs():
    x = torch.randn(64, 2)
    y = torch.arange(64) % 10
    y[-1] = 10  # one stray label, in the last batch: found before training starts
    with pytest.raises(ValueError, match=r"labels run from 0 to 10.*returns 2 scores.*11 outputs"):
        fit(nn.Linear(2, 2), (x, y), batch_size=8, progress=False, verbose=False)


def test_inputs_of_the_wrong_shape():
    x, y = torch.randn(16, 5), torch.zeros(16, dtype=torch.long)
    with pytest.raises(ValueError, match=r"could not process a batch of shape \(16, 5\)"):
        fit(nn.Linear(2, 2), (x, y), progress=False, verbose=False)


def test_wrong_channel_count_for_a_convnet():
    x, y = torch.randn(8, 3, 28, 28), torch.zeros(8, dtype=torch.long)
    with pytest.raises(ValueError, match="in_channels=3"):
        fit(fashion_convnet(), (x, y), progress=False, verbose=False)


class WrongFlatten(nn.Module):
    """The flatten bug: view(-1, n) with n too small silently makes more rows than images."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 10)

    def forward(self, x):
        return self.fc(x.view(-1, 2))


def test_reshape_with_the_wrong_feature_count():
    x, y = torch.randn(8, 4), torch.zeros(8, dtype=torch.long)
    with pytest.raises(ValueError, match=r"16 rows of outputs for a batch of 8.*view"):
        fit(WrongFlatten(), (x, y), progress=False, verbose=False)


def test_missing_flatten_before_the_classifier():
    x, y = torch.randn(8, 1, 4, 4), torch.zeros(8, dtype=torch.long)
    with pytest.raises(ValueError, match=r"\(batch, classes\).*nn.Flatten"):
        fit(nn.Conv2d(1, 10, 4), (x, y), progress=False, verbose=False)


def test_mismatched_inputs_and_labels():
    with pytest.raises(ValueError, match="100 inputs but 99 labels"):
        fit(nn.Linear(2, 2), (torch.randn(100, 2), torch.zeros(99, dtype=torch.long)), progress=False)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": 0}, ValueError, "epochs=0 is too small: give at least 1"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be a whole number, got 2.5"),
    ({"lr": 0}, ValueError, "lr=0 is impossible: give a positive number"),
])  # fmt: skip
def test_bad_settings(kwargs, error, message):
    x, y = blobs(16)
    with pytest.raises(error, match=message):
        fit(nn.Linear(2, 2), (x, y), progress=False, **kwargs)


def test_bad_argument_types():
    x, y = blobs(16)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        fit(lambda t: t, (x, y))
    with pytest.raises(TypeError, match="pair of tensors"):
        fit(nn.Linear(2, 2), [[1, 2], [3, 4]], progress=False)
    with pytest.raises(TypeError, match="optimizer"):
        fit(nn.Linear(2, 2), (x, y), optimizer="adam", progress=False)
    with pytest.raises(ValueError, match="empty"):
        fit(nn.Linear(2, 2), (torch.empty(0, 2), torch.empty(0, dtype=torch.long)), progress=False)


# ---------------------------------------------------------------- parameters, summary, seeds
def test_parameter_counts_from_the_articles():
    assert count_parameters(fashion_convnet()) == 225_034
    fc = nn.Sequential(nn.Linear(3072, 1024), nn.Tanh(), nn.Linear(1024, 512), nn.Tanh(),
                       nn.Linear(512, 128), nn.Tanh(), nn.Linear(128, 10))  # fmt: skip
    assert count_parameters(fc) == 3_738_506


def test_count_trainable_only():
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
    model[0].requires_grad_(False)
    assert count_parameters(model) == 30 and count_parameters(model, trainable_only=True) == 10
    with pytest.raises(TypeError):
        count_parameters("model")


def test_summary_shows_shapes_and_totals():
    text = str(summary(fashion_convnet(), (1, 1, 28, 28)))
    assert "Total params: 225,034" in text and "[1, 64, 5, 5]" in text and "[1, 1600]" in text
    with pytest.raises(ValueError, match=r"input of size \(1, 3, 28, 28\)"):
        summary(fashion_convnet(), (1, 3, 28, 28))


def test_seed_everything_repeats_and_validates():
    seed_everything(7)
    a = torch.randn(3)
    seed_everything(7)
    assert torch.equal(a, torch.randn(3))
    for bad, error in ((-1, ValueError), (2**32, ValueError), (1.5, TypeError), ("7", TypeError)):
        with pytest.raises(error, match="seed"):
            seed_everything(bad)


def test_summary_names_its_units_without_changing_numbers(capsys):
    from ainotes.train import readable_units

    text = str(summary(fashion_convnet(), (1, 1, 28, 28)))
    assert "Total mult-adds (millions): 2.66" in text and "Units." not in text
    assert "Total params: 225,034" in text and "Params size (MB): 0.90" in text
    assert capsys.readouterr().out == ""  # quiet by default; verbose=1 prints the readable table
    summary(fashion_convnet(), (1, 1, 28, 28), verbose=1)
    assert "Total mult-adds (millions): 2.66" in capsys.readouterr().out
    # The labels torchinfo has printed or may print: the broken enum name, the fixed short unit.
    assert readable_units("Total mult-adds (Units.MEGABYTES): 2.66") == "Total mult-adds (millions): 2.66"
    assert readable_units("Total mult-adds (M): 2.66") == "Total mult-adds (millions): 2.66"
    assert readable_units("Total params (Units.GIGABYTES): 1.20") == "Total params (billions): 1.20"
    unchanged = "Total params: 225,034\nInput size (MB): 0.00\nLinear (M): 3\nTotal mult-adds (Units.AUTO): 1"
    assert readable_units(unchanged) == unchanged


# ---------------------------------------------------------------- augment
def images(n=96, seed=0):
    """Left-right asymmetric images: the left half of class 1 is bright, so flips change what is learned."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.rand(n, 1, 4, 4, generator=g)
    x[:, :, :, :2] += y.view(-1, 1, 1, 1).float()
    return x, y


def small_convnet():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(16, 2))


class Recorder:
    """An augment that counts its calls and notes the gradient mode and batch shapes."""

    def __init__(self, fn=lambda x: x):
        self.fn, self.calls = fn, []

    def __call__(self, x):
        self.calls.append((tuple(x.shape), torch.is_grad_enabled()))
        return self.fn(x)


def test_augment_is_called_once_per_training_batch_without_gradients():
    x, y = images(100)
    augment = Recorder()
    fit(small_convnet(), (x, y), (x, y), epochs=3, batch_size=32, augment=augment, progress=False, verbose=False)
    assert len(augment.calls) == 3 * 4  # ceil(100 / 32) batches per epoch; validation not augmented
    assert [shape[0] for shape, _ in augment.calls] == [32, 32, 32, 4] * 3
    assert not any(grad for _, grad in augment.calls)


def test_validation_batches_are_never_augmented():
    x, y = blobs(64)
    model = ModeRecorder()
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append((module.training, float(args[0].abs().max()))))
    fit(model, (x, y), (x, y), epochs=2, batch_size=16, augment=lambda b: b + 1000, progress=False, verbose=False)
    assert all(big > 900 for training, big in seen if training)  # every training batch went through augment
    assert all(big < 100 for training, big in seen if not training) and sum(not t for t, _ in seen) == 2
    result = evaluate(model, (x, y))  # evaluate has no augment: unchanged
    assert 0 <= result.accuracy <= 1


def test_augment_changes_training_and_an_identity_does_not():
    x, y = images()
    runs, settings = {}, dict(epochs=2, batch_size=16, progress=False, verbose=False)
    for name, augment in (("plain", None), ("identity", lambda b: b.clone()), ("flip", lambda b: b.flip(3))):
        seed_everything(0)
        h = fit(small_convnet(), (x, y), (x, y), augment=augment, **settings)
        runs[name] = h.train_loss + h.valid_loss
    assert runs["identity"] == runs["plain"]  # calling augment uses no randomness of its own
    assert runs["flip"] != runs["plain"]


def test_augment_may_change_the_image_size():
    x, y = images(32)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    crop = Recorder(lambda b: b[:, :, :3, :3])
    fit(model, (x, y), (x, y), batch_size=16, augment=crop, progress=False, verbose=False)
    assert len(crop.calls) == 2


@pytest.mark.parametrize(
    ("augment", "error", "match"),
    [
        ("flip", TypeError, r"augment must be a function of a tensor batch.*got a str"),
        (lambda b: None, TypeError, r"augment returned None for a batch of shape \(16, 1, 4, 4\): it must return a "
                                    r"tensor batch.*`return`"),
        (lambda b: b.tolist(), TypeError, r"augment returned a list .*must return a tensor batch"),
        (lambda b: b[:8], ValueError, r"batch of shape \(16, 1, 4, 4\) into one of shape \(8, 1, 4, 4\): it must "
                                      r"return one image per input image"),
        (lambda b: b.sum(), ValueError, r"into one of shape \(\): it must return one image per input image"),
    ],
)  # fmt: skip
def test_bad_augment(augment, error, match):
    x, y = images(32)
    with pytest.raises(error, match=match):
        fit(small_convnet(), (x, y), batch_size=16, augment=augment, progress=False, verbose=False)


# --- Training and evaluation mode around batch normalisation ---------------------------------------------


def _bn_data():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(96, 1, 8, 8, generator=generator) * 3 + 2  # far from a new layer's running statistics
    return x, torch.randint(0, 3, (96,), generator=generator)


def _bn_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, 3))  # fmt: skip


def test_fit_validates_with_running_statistics_and_leaves_the_model_in_training_mode():
    x, y = _bn_data()
    model = _bn_model()
    history = fit(model, (x[:64], y[:64]), (x[64:], y[64:]), epochs=2, batch_size=16, progress=False, verbose=False)
    assert model.training and all(m.training for m in model.modules())  # ready for more training
    running = [model[1].running_mean.clone(), model[1].running_var.clone(), model[1].num_batches_tracked.clone()]
    assert running[2].item() == 2 * 4  # only the 4 training batches of each epoch were counted
    # validation in training mode would have used (and updated) the batch statistics: evaluate uses the running ones
    result = evaluate(model, (x[64:], y[64:]))
    assert history.valid_loss[-1] == pytest.approx(result.loss, rel=1e-6)
    assert history.valid_acc[-1] == result.accuracy
    for before, after in zip(running, [model[1].running_mean, model[1].running_var, model[1].num_batches_tracked]):
        assert torch.equal(before, after)


@pytest.mark.parametrize("training", [True, False])
def test_evaluate_and_predict_do_not_depend_on_the_batch_size_and_restore_the_mode(training):
    x, y = _bn_data()
    model = _bn_model()
    fit(model, (x, y), epochs=1, batch_size=16, progress=False, verbose=False)
    model.train(training)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    one, many = evaluate(model, (x, y), batch_size=1), evaluate(model, (x, y), batch_size=64)
    assert one.loss == pytest.approx(many.loss, rel=1e-5) and one.accuracy == many.accuracy
    assert torch.equal(predict(model, x, batch_size=1), predict(model, x, batch_size=50))
    assert model.training is training
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    # the same model in training mode does depend on the batch: what evaluate protects against
    with torch.no_grad():
        alone, in_batch = model.train()(x[:1]), model(x[:32])[:1]
    assert not torch.allclose(alone, in_batch, atol=1e-3)


# --------------------------------------------------------------------------------------------
# One learning rate per parameter group (chapter 7's fine-tuning)
# --------------------------------------------------------------------------------------------
def test_fit_gives_each_parameter_group_its_own_peak():
    seed_everything(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = torch.optim.Adam([{"params": model[0].parameters()}, {"params": model[2].parameters()}])
    x, y = torch.randn(64, 4), torch.randint(0, 2, (64,))
    scheduler_peaks = []
    opt.register_step_pre_hook(lambda o, args, kwargs: scheduler_peaks.append([g["lr"] for g in o.param_groups]))
    fit(model, (x, y), epochs=4, batch_size=8, lr=[1e-4, 1e-2], optimizer=opt, one_cycle=True,
        progress=False, verbose=False)  # fmt: skip
    peaks = torch.tensor(scheduler_peaks).max(0).values
    assert torch.allclose(peaks, torch.tensor([1e-4, 1e-2]), rtol=0.05)
    ratios = {round(b / a, 6) for a, b in scheduler_peaks}
    assert ratios == {100.0}  # the two groups follow the same cycle, 100 times apart


def test_fit_sets_group_learning_rates_without_a_schedule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    opt = torch.optim.SGD([{"params": model[0].parameters()}, {"params": model[1].parameters()}], lr=0.5)
    x, y = torch.randn(8, 2), torch.randint(0, 2, (8,))
    fit(model, (x, y), lr=[0.01, 0.1], optimizer=opt, progress=False, verbose=False)
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.1]


@pytest.mark.parametrize(
    "lr, optimizer, error, message",
    [
        ([1e-3, 1e-2], None, ValueError, "needs an optimizer built with 2 parameter groups"),
        ([1e-3, 1e-2], torch.optim.Adam, ValueError, "needs an optimizer built with 2 parameter groups"),
        ([1e-3], "one group", ValueError, "got one with 2"),
        ([1e-3, -1.0], "two groups", ValueError, r"lr\[1\]=-1.0 is impossible: give a positive number"),
        ("0.01", None, TypeError, "lr must be a number, got '0.01'"),
        (0, None, ValueError, "lr=0 is impossible: give a positive number"),
    ],
)
def test_fit_rejects_learning_rates_that_do_not_match_the_groups(lr, optimizer, error, message):
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    if isinstance(optimizer, str):
        optimizer = torch.optim.Adam([{"params": model[0].parameters()}, {"params": model[1].parameters()}])
    x, y = torch.randn(8, 2), torch.randint(0, 2, (8,))
    with pytest.raises(error, match=message):
        fit(model, (x, y), lr=lr, optimizer=optimizer, progress=False, verbose=False)
