"""A small ResNet for 32×32 colour images, laid out like torchvision's ``resnet18``.

The same attribute names as torchvision's ResNet (``conv1``, ``bn1``, ``relu``, ``layer1`` to
``layer4``, ``avgpool``, ``fc``), so that what a reader learns here (``model.fc = nn.Linear(...)``,
freezing ``model.layer1``) works unchanged on ``torchvision.models.resnet18``. It differs where
32×32 images need it: a 3×3 first convolution without max pooling, one residual block per stage,
and narrower stages (16, 32, 64, 128 channels).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from ainotes.arguments import whole

__all__ = ["SOURCE_CLASSES", "WIDTHS", "BasicBlock", "SmallResNet"]

#: Channels of the four stages (``layer1`` to ``layer4``), each stage one :class:`BasicBlock`.
WIDTHS = (16, 32, 64, 128)
#: Classes of the source task the book's checkpoint was trained on, the default size of ``fc``.
SOURCE_CLASSES = 7


def _images(x: Any, channels: int, who: str, dtype: torch.dtype = torch.float32) -> None:
    """Refuse, cheaply (no pass over the values), an input that is not a float batch ``[N, channels, H, W]``."""
    if not isinstance(x, torch.Tensor):
        fix = "torch.from_numpy(x)" if isinstance(x, np.ndarray) else "torch.as_tensor(x)"
        raise TypeError(f"{who} expects a tensor of images [N, {channels}, H, W] as its input x, got "
                        f"{type(x).__name__}: convert it, e.g. {fix}.")  # fmt: skip
    if x.ndim != 4 or x.shape[1] != channels:
        if x.ndim == 3 and x.shape[0] == channels:
            fix = " Add a batch dimension to a single image with x.unsqueeze(0)."
        elif x.ndim == 4 and x.shape[-1] == channels:
            fix = " The images look channels-last [N, H, W, C]: use x.permute(0, 3, 1, 2)."
        elif x.ndim == 4 and x.shape[1] == 1 and channels == 3:
            fix = " Grey images have one channel: repeat it, x.expand(-1, 3, -1, -1)."
        else:
            fix = ""
        what = "colour images" if channels == 3 else "images"
        raise ValueError(f"{who} expects a batch of {what} [N, {channels}, H, W] as its input x, got shape "
                         f"{list(x.shape)}.{fix}")  # fmt: skip
    if not x.is_floating_point():
        raise TypeError(f"{who} expects float images, got {x.dtype} values: preprocess them first, e.g. with "
                        "weights.transforms(), which scales uint8 pixels to [0, 1] and normalises them.")  # fmt: skip
    if x.dtype == torch.float64 and dtype != torch.float64:  # under autocast too: it never casts float64
        raise TypeError(f"{who}'s input x holds float64 values, its weights {dtype}: convert it, e.g. x.float().")


class BasicBlock(nn.Module):
    """Two 3×3 convolutions with batch norm, plus a shortcut: ``relu(F(x) + shortcut(x))``.

    The shortcut is the identity when the shape does not change; when the block halves the size
    (``stride=2``) or changes the number of channels, it is a 1×1 convolution with batch norm,
    as in torchvision's ``BasicBlock``.

    Examples
    --------
    >>> import torch
    >>> from ainotes.models import BasicBlock
    >>> BasicBlock(16, 32, stride=2)(torch.zeros(1, 16, 32, 32)).shape
    torch.Size([1, 32, 16, 16])
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        in_channels = whole(in_channels, "in_channels", least=1, example="in_channels=16")
        out_channels = whole(out_channels, "out_channels", least=1, example="out_channels=32")
        stride = whole(stride, "stride", least=1, example="stride=2")
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample: nn.Module | None = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``, same shape as ``x`` unless the block downsamples."""
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != self.conv1.in_channels:
            _images(x, self.conv1.in_channels, "BasicBlock")
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + shortcut)


class SmallResNet(nn.Module):
    """A 9-convolution ResNet for ``[N, 3, 32, 32]`` images: stem, four stages, pooling, ``fc``.

    ====================  =============  ===================
    part                  output         what it does
    ====================  =============  ===================
    ``conv1, bn1, relu``  16 × 32 × 32   3×3 convolution
    ``layer1``            16 × 32 × 32   residual block
    ``layer2``            32 × 16 × 16   residual block, stride 2
    ``layer3``            64 × 8 × 8     residual block, stride 2
    ``layer4``            128 × 4 × 4    residual block, stride 2
    ``avgpool``           128 × 1 × 1    global average pooling
    ``fc``                classes        linear classifier (the "head")
    ====================  =============  ===================

    Build it with :func:`ainotes.models.small_resnet`, which can load pretrained weights.

    Examples
    --------
    >>> import torch
    >>> from ainotes.models import SmallResNet
    >>> model = SmallResNet(num_classes=10)
    >>> model(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> model.fc, model.layer4[0].conv1.out_channels
    (Linear(in_features=128, out_features=10, bias=True), 128)
    """

    def __init__(self, num_classes: int = SOURCE_CLASSES) -> None:
        super().__init__()
        num_classes = whole(num_classes, "num_classes", least=1, example="num_classes=3")
        c1, c2, c3, c4 = WIDTHS
        self.conv1 = nn.Conv2d(3, c1, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c1)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = nn.Sequential(BasicBlock(c1, c1))
        self.layer2 = nn.Sequential(BasicBlock(c1, c2, stride=2))
        self.layer3 = nn.Sequential(BasicBlock(c2, c3, stride=2))
        self.layer4 = nn.Sequential(BasicBlock(c3, c4, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c4, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The 128 pooled features of each image: everything but ``fc``."""
        _images(x, 3, "SmallResNet", self.conv1.weight.dtype)
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores ``[N, num_classes]`` for a batch of images ``[N, 3, H, W]``: ``fc(features(x))``."""
        return self.fc(self.features(x))  # features checks x
