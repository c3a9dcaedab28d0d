"""ainotes.models: the small ResNet, its shipped checkpoint and torchvision-style weights API."""

import hashlib
import json
import pickle
import zipfile

import pytest
import torch
from torch import nn

from ainotes.augment import crop_and_flip, random_crop, random_flip
from ainotes.models import (
    BasicBlock,
    CheckpointError,
    Preprocess,
    SmallResNet,
    SmallResNetWeights,
    checkpoint_folder,
    load_checkpoint,
    small_resnet,
)
from ainotes.models import weights as weights_module
from ainotes.train import count_parameters

WEIGHTS = SmallResNetWeights.CIFAR7_V1


# --------------------------------------------------------------------------------------------
# The architecture
# --------------------------------------------------------------------------------------------
def test_the_architecture_has_torchvision_names_and_shapes():
    model = SmallResNet(7)
    assert [name for name, _ in model.named_children()] == [
        "conv1", "bn1", "relu", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"
    ]  # fmt: skip
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 7)
    assert model.features(torch.zeros(2, 3, 32, 32)).shape == (2, model.fc.in_features)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 12
    assert not any(m.bias is not None for m in model.modules() if isinstance(m, nn.Conv2d))


def test_the_residual_block_adds_its_shortcut():
    block = BasicBlock(4, 4).eval()
    with torch.no_grad():
        block.conv2.weight.zero_()  # F(x) = bn2(0) = 0 in eval mode with zero running mean
    x = torch.rand(1, 4, 8, 8)
    assert torch.allclose(block(x), torch.relu(x))
    assert BasicBlock(4, 8, stride=2).downsample is not None
    assert BasicBlock(4, 4).downsample is None


@pytest.mark.parametrize("shape", [(3, 32, 32), (2, 1, 32, 32), (2, 32, 32, 3)])
def test_the_model_refuses_wrong_shapes_clearly(shape):
    with pytest.raises(ValueError, match=r"batch of colour images \[N, 3, H, W\]"):
        SmallResNet()(torch.zeros(shape))


@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.5, TypeError), ("3", TypeError)])
def test_the_number_of_classes_is_checked(bad, error):
    with pytest.raises(error, match="num_classes"):
        small_resnet(num_classes=bad)


# --------------------------------------------------------------------------------------------
# The weights API
# --------------------------------------------------------------------------------------------
def test_the_metadata_record_describes_the_shipped_file():
    meta = WEIGHTS.meta
    assert meta["categories"] == ["bird", "cat", "deer", "dog", "frog", "horse", "truck"]
    assert meta["sha256"] == hashlib.sha256(WEIGHTS.path.read_bytes()).hexdigest()
    assert meta["file_size"] == WEIGHTS.path.stat().st_size
    assert meta["num_params"] == count_parameters(SmallResNet(7))
    assert 0.8 < meta["test_accuracy"] < 1 and meta["test_images"] == 7000
    assert len(meta["mean"]) == len(meta["std"]) == 3
    assert meta["command"].startswith("python scripts/pretrain_small_resnet.py")
    assert SmallResNetWeights.DEFAULT is WEIGHTS


def test_pretrained_weights_load_and_differ_from_random_ones():
    model = small_resnet(weights=WEIGHTS)
    state = WEIGHTS.get_state_dict()
    assert all(torch.equal(model.state_dict()[k], v) for k, v in state.items())
    assert not torch.equal(small_resnet().conv1.weight, model.conv1.weight)
    assert int(model.bn1.num_batches_tracked) > 0  # real running statistics


@pytest.mark.parametrize("name", ["DEFAULT", "CIFAR7_V1", "SmallResNetWeights.CIFAR7_V1"])
def test_weights_can_be_named(name):
    assert SmallResNetWeights.resolve(name) is WEIGHTS


@pytest.mark.parametrize(
    "bad, error, match",
    [
        ("IMAGENET1K_V1", ValueError, r"Unknown weights .*CIFAR7_V1"),
        ("default", ValueError, r"Unknown weights .*CIFAR7_V1"),
        (7, TypeError, r"weights must be None, .*got 7.*CIFAR7_V1"),
        (True, TypeError, r"weights must be None, .*got True.*CIFAR7_V1"),
    ],
)
def test_unknown_weights_list_the_choices(bad, error, match):
    with pytest.raises(error, match=match):
        small_resnet(weights=bad)


def test_a_different_head_with_weights_says_how_to_replace_it():
    with pytest.raises(ValueError, match=r"model.fc = nn.Linear\(model.fc.in_features, 3\)"):
        small_resnet(weights="DEFAULT", num_classes=3)
    assert small_resnet(weights="DEFAULT", num_classes=7).fc.out_features == 7


def test_the_checkpoint_is_package_data():
    assert WEIGHTS.path.parent == checkpoint_folder()
    assert WEIGHTS.path.is_file() and (checkpoint_folder() / WEIGHTS.value.record).is_file()
    assert zipfile.is_zipfile(WEIGHTS.path)  # torch.save's format


# --------------------------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------------------------
def test_preprocess_matches_scaling_and_normalising():
    preprocess = WEIGHTS.transforms()
    pixels = torch.randint(0, 256, (4, 3, 32, 32), dtype=torch.uint8)
    mean = torch.tensor(WEIGHTS.meta["mean"]).view(3, 1, 1)
    std = torch.tensor(WEIGHTS.meta["std"]).view(3, 1, 1)
    expected = (pixels.float() / 255 - mean) / std
    assert torch.allclose(preprocess(pixels), expected)
    assert torch.allclose(preprocess(pixels[0]), expected[0])  # one image
    assert torch.allclose(preprocess(pixels.float() / 255), expected, atol=1e-6)  # floats in [0, 1]


def test_preprocess_takes_a_pil_image():
    from PIL import Image

    array = torch.randint(0, 256, (32, 32, 3), dtype=torch.uint8)
    image = Image.fromarray(array.numpy())
    assert torch.allclose(WEIGHTS.transforms()(image), WEIGHTS.transforms()(array.permute(2, 0, 1)))


@pytest.mark.parametrize(
    "image, error, message",
    [
        (torch.zeros(3, 64, 64, dtype=torch.uint8), ValueError, r"trained on 32×32 images, got 64×64: resize"),
        (torch.zeros(1, 32, 32), ValueError, r"colour image \[3, H, W\]"),
        (torch.zeros(32, 32, 3), ValueError, r"colour image"),
        ([[1, 2]], TypeError, "PIL image or a tensor"),
    ],
)
def test_preprocess_refuses_what_the_network_cannot_take(image, error, message):
    with pytest.raises(error, match=message):
        Preprocess((0.5,) * 3, (0.25,) * 3)(image)


# --------------------------------------------------------------------------------------------
# Damaged, foreign and missing files
# --------------------------------------------------------------------------------------------
def test_a_changed_byte_is_refused_with_a_way_to_restore(tmp_path):
    data = bytearray(WEIGHTS.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.pt"
    damaged.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"damaged or was replaced.*save it again"):
        load_checkpoint(damaged, WEIGHTS.value.sha256)


def test_the_books_checkpoint_says_how_to_restore_it(monkeypatch, tmp_path):
    damaged = tmp_path / WEIGHTS.value.file
    damaged.write_bytes(b"x" + WEIGHTS.path.read_bytes()[1:])
    monkeypatch.setattr(weights_module, "checkpoint_folder", lambda: tmp_path)
    with pytest.raises(CheckpointError, match=r"pip install --force-reinstall ainotes.*git checkout"):
        WEIGHTS.get_state_dict()


def test_a_truncated_file_is_not_a_checkpoint(tmp_path):
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(WEIGHTS.path.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint or is truncated"):
        load_checkpoint(truncated)


def test_python_objects_are_refused(tmp_path):
    path = tmp_path / "object.pt"
    torch.save({"weight": torch.zeros(1), "model": nn.Linear(1, 1)}, path)
    with pytest.raises(CheckpointError, match="Python objects other than tensors"):
        load_checkpoint(path)


def test_a_file_that_is_not_a_state_dict_is_refused(tmp_path):
    path = tmp_path / "list.pt"
    torch.save([torch.zeros(1)], path)
    with pytest.raises(CheckpointError, match="not a state_dict"):
        load_checkpoint(path)


def test_a_missing_file_names_it(tmp_path):
    with pytest.raises(CheckpointError, match=r"missing.pt does not exist"):
        load_checkpoint(tmp_path / "missing.pt")


def test_a_pickle_is_never_run(tmp_path):
    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(ran), "w"))

    path = tmp_path / "payload.pt"
    with open(path, "wb") as file:
        pickle.dump(Payload(), file)
    with pytest.raises(CheckpointError):
        load_checkpoint(path)
    assert not ran.exists()


def test_a_damaged_or_foreign_record_is_refused(tmp_path, monkeypatch):
    real = json.loads((checkpoint_folder() / WEIGHTS.value.record).read_text())
    record = tmp_path / WEIGHTS.value.record
    monkeypatch.setattr(weights_module, "checkpoint_folder", lambda: tmp_path)
    weights_module._record.cache_clear()
    try:
        with pytest.raises(CheckpointError, match="does not exist"):
            _ = WEIGHTS.meta
        weights_module._record.cache_clear()
        record.write_text("{ not json")
        with pytest.raises(CheckpointError, match="is damaged"):
            _ = WEIGHTS.meta
        weights_module._record.cache_clear()
        record.write_text(json.dumps({**real, "sha256": "0" * 64}))
        with pytest.raises(CheckpointError, match="describes another file"):
            _ = WEIGHTS.meta
        weights_module._record.cache_clear()
        record.write_text(json.dumps({"name": "x"}))
        with pytest.raises(CheckpointError, match="lacks"):
            _ = WEIGHTS.meta
    finally:
        weights_module._record.cache_clear()


# --------------------------------------------------------------------------------------------
# Augmentation on batches
# --------------------------------------------------------------------------------------------
def test_augmentations_keep_the_shape_and_the_pixels():
    torch.manual_seed(0)
    x = torch.rand(16, 3, 32, 32)
    flipped = random_flip(x)
    assert all(torch.equal(a, b) or torch.equal(a, b.flip(2)) for a, b in zip(x, flipped))
    assert random_crop(x).shape == x.shape and crop_and_flip(x).shape == x.shape
    assert torch.equal(random_crop(x, padding=0), x)


@pytest.mark.parametrize("bad", [torch.zeros(3, 32, 32), "images"])
def test_augmentations_want_a_batch(bad):
    with pytest.raises(ValueError, match=r"batch of images \[N, C, H, W\]"):
        random_flip(bad)
    with pytest.raises(ValueError, match=r"batch of images"):
        random_crop(bad)


# --------------------------------------------------------------------------------------------
# The record's accuracy, reproduced on the source task's test images (needs CIFAR-10, offline mirror)
# --------------------------------------------------------------------------------------------
def test_the_recorded_source_accuracy_is_reproduced():
    from ainotes.data import DataUnavailableError, cifar10, class_subset
    from ainotes.train import evaluate

    meta = WEIGHTS.meta
    try:
        test_set = cifar10(train=False)
    except DataUnavailableError as exc:  # as the other data tests: CI has the offline mirror
        pytest.skip(f"CIFAR-10 is not available here: {exc}")
    source_test = class_subset(test_set, meta["categories"])
    x = WEIGHTS.transforms()(torch.from_numpy(source_test.data).permute(0, 3, 1, 2))
    y = torch.tensor(source_test.targets)
    assert len(y) == meta["test_images"]
    accuracy = evaluate(small_resnet(weights=WEIGHTS), (x, y)).accuracy
    assert abs(accuracy - meta["test_accuracy"]) < 0.003, (accuracy, meta["test_accuracy"])
