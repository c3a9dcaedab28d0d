"""The parameter counts from settings equal what PyTorch allocates."""

import pytest
import torch
from torch import nn

from ainotes.param_counts import cnn_counts, fc_counts, total_parameters


def fc_model(size, channels, hidden, classes):
    widths = [channels * size * size, *hidden, classes]
    layers = [nn.Flatten()]
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*layers[:-1])


def cnn_model(size, channels, conv_channels, k, hidden, classes):
    layers, c_in = [], channels
    for c_out in conv_channels:
        layers += [nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.Tanh(), nn.MaxPool2d(2)]
        c_in = c_out
    features = nn.Sequential(*layers)
    flat = features(torch.zeros(1, channels, size, size)).numel()
    return nn.Sequential(features, nn.Flatten(), nn.Linear(flat, hidden), nn.Tanh(), nn.Linear(hidden, classes))


def tensors(model):
    return [p.numel() for p in model.parameters()]


@pytest.mark.parametrize("size, channels, hidden, classes",
                         [(32, 3, (1024, 512, 128), 10), (28, 1, (128,), 10), (8, 3, (), 3), (64, 3, (7, 5), 2)])  # fmt: skip
def test_fc_counts_match_pytorch(size, channels, hidden, classes):
    layers = fc_counts(size, channels, hidden, classes)
    model = fc_model(size, channels, hidden, classes)
    assert [n for layer in layers for n in (layer.weights, layer.biases)] == tensors(model)
    assert total_parameters(layers) == sum(tensors(model))
    assert layers[-1].output_shape == (classes,)


@pytest.mark.parametrize("size, channels, conv_channels, k, hidden, classes",
                         [(32, 3, (16, 8), 3, 32, 10), (32, 3, (16, 8), 3, 32, 3), (64, 1, (4, 4, 4), 5, 9, 2),
                          (33, 3, (2,), 1, 4, 4), (7, 3, (3, 3), 7, 5, 10)])  # fmt: skip
def test_cnn_counts_match_pytorch(size, channels, conv_channels, k, hidden, classes):
    layers = cnn_counts(size, channels, conv_channels, k, hidden, classes)
    model = cnn_model(size, channels, conv_channels, k, hidden, classes)
    assert [n for layer in layers if layer.total for n in (layer.weights, layer.biases)] == tensors(model)
    x = torch.zeros(1, channels, size, size)
    assert layers[2 * len(conv_channels) - 1].output_shape == tuple(model[0](x).shape[1:])


def test_the_chapter_figures():
    assert total_parameters(fc_counts()) == 3_738_506
    per_tensor = [3_145_728, 1_024, 524_288, 512, 65_536, 128, 1_280, 10]
    assert [n for layer in fc_counts() for n in (layer.weights, layer.biases)] == per_tensor
    assert total_parameters(cnn_counts()) == 18_354
    assert total_parameters(cnn_counts(classes=3)) == 18_123
    first = fc_counts(1024, 3, hidden=(1024,))[0]
    assert first.total == 3_221_226_496 and first.layer == "Linear 3,145,728→1,024"


@pytest.mark.parametrize("call, error, match", [
    (lambda: fc_counts(0), ValueError, "image_size=0 is too small: give at least 1"),
    (lambda: fc_counts(32.0), TypeError, "image_size must be a whole number"),
    (lambda: fc_counts(32, True), TypeError, "channels must be a whole number"),
    (lambda: fc_counts(32, 3, hidden="1024"), TypeError, "hidden must be a sequence"),
    (lambda: fc_counts(32, 3, hidden=(1024, 0)), ValueError, "each of hidden=0"),
    (lambda: cnn_counts(kernel_size=4), ValueError, "even"),
    (lambda: cnn_counts(image_size=4, conv_channels=(1, 1, 1)), ValueError, "cannot be pooled 3 times"),
    (lambda: cnn_counts(classes=0), ValueError, "classes=0"),
])  # fmt: skip
def test_bad_settings_are_explained(call, error, match):
    with pytest.raises(error, match=match):
        call()
