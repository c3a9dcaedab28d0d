"""A small ResNet for 32×32 colour images, laid out like torchvision's ``resnet18``.

The same attribute names as torchvision's ResNet (``conv1``, ``bn1``, ``relu``, ``layer1`` to
``layer4``, ``avgpool``, ``fc``), so that what a reader learns here (``model.fc = nn.Linear(...)``,
freezing ``model.layer1``) works unchanged on ``torchvision.models.resnet18``. It differs where
32×32 images need it: a 3×3 first convolution without max pooling, one residual block per stage,
and narrower stages (16, 32, 64, 128 channels).
"""

from __future__ import annotations

import torch
from torch import nn

from ainotes.arguments import whole

__all__ = ["SOURCE_CLASSES", "WIDTHS", "BasicBlock", "SmallResNet"]

#: Channels of the four stages (``layer1`` to ``layer4``), each stage one :class:`BasicBlock`.
WIDTHS = (16, 32, 64, 128)
#: Classes of the source task the book's checkpoint was trained on, the default size of ``fc``.
SOURCE_CLASSES = 7


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
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores ``[N, num_classes]`` for a batch of images ``[N, 3, H, W]``: ``fc(features(x))``."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(
                f"SmallResNet expects a batch of colour images [N, 3, H, W], got shape {list(x.shape)}. "
                "Add a batch dimension to a single image with x.unsqueeze(0)."
            )
        return self.fc(self.features(x))
