import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ainotes.convmatrix import PALETTE, plot_conv_matrix, row_inputs

KERNEL = torch.arange(1.0, 10.0).view(3, 3)


def conv_matrix(kernel: torch.Tensor, size: int = 6) -> torch.Tensor:
    """Column j = F.conv2d(e_j, kernel).flatten(), e_j the image with a 1 at pixel j: the matrix of the convolution."""
    columns = []
    for j in range(size * size):
        basis = torch.zeros(1, 1, size, size)
        basis.view(-1)[j] = 1.0
        columns.append(F.conv2d(basis, kernel.view(1, 1, *kernel.shape)).flatten())
    return torch.stack(columns, dim=1)


def patches(ax, kind):
    """Indices of the patches whose gid is ``"<kind> <index>"``."""
    return sorted(int(p.get_gid().split()[1]) for p in ax.patches if p.get_gid() and p.get_gid().startswith(kind))


def test_the_matrix_is_the_convolution():
    M = conv_matrix(KERNEL)
    x = torch.rand(1, 1, 6, 6)
    assert M.shape == (16, 36)
    assert torch.allclose(M @ x.flatten(), F.conv2d(x, KERNEL.view(1, 1, 3, 3)).flatten())


def test_row_inputs_are_the_receptive_field():
    M = conv_matrix(KERNEL)
    assert row_inputs(M, 5) == [7, 8, 9, 13, 14, 15, 19, 20, 21]  # output (1, 1) reads rows 1-3, columns 1-3
    assert row_inputs(M, 0) == [0, 1, 2, 6, 7, 8, 12, 13, 14]
    assert row_inputs(M.numpy(), 15) == [21, 22, 23, 27, 28, 29, 33, 34, 35]
    edges = conv_matrix(torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]))
    assert row_inputs(edges, 0) == [0, 2, 6, 8, 12, 14]  # zero weights read nothing


def test_figure_of_the_doc_case():
    M = conv_matrix(KERNEL)
    fig = plot_conv_matrix(M, 6)
    assert len(fig.axes) == 3
    assert fig.get_suptitle() == "Conv2d as a 16 × 36 matrix: 144 of 576 entries are non-zero, 9 distinct values"
    ax_in, ax_m, ax_out = fig.axes
    assert patches(ax_in, "read") == row_inputs(M, 5)  # default row: a middle one
    assert patches(ax_m, "row") == [5] and patches(ax_out, "output") == [5]
    assert ax_in.get_title().startswith("input 6×6") and ax_out.get_title().startswith("output 4×4")
    assert ax_m.get_xlabel() == "input pixel (column of the matrix)" and ax_m.get_ylabel() == "output pixel (row)"
    assert sorted(int(t.get_text()) for t in ax_in.texts) == list(range(36))
    assert sorted(int(t.get_text()) for t in ax_out.texts) == list(range(16))
    assert sorted(t.get_text() for t in ax_m.texts) == sorted(str(int(v)) for v in M[M != 0])  # values written
    assert all(t.get_fontsize() >= 7 for ax in fig.axes for t in ax.texts + ax.get_xticklabels())
    plt.close(fig)


def test_each_weight_has_one_colour_on_every_row():
    M = conv_matrix(KERNEL)
    fig = plot_conv_matrix(M, 6, row=0)
    rgb = fig.axes[1].images[0].get_array()
    a = M.numpy()
    for value in range(1, 10):
        colours = np.unique(rgb[a == value].reshape(-1, 3), axis=0)
        assert len(colours) == 1 and np.allclose(colours[0], plt.matplotlib.colors.to_rgb(PALETTE[value - 1]))
    assert np.all(rgb[1:][a[1:] == 0] == 1.0)  # zeros white (row 0, highlighted, is tinted)
    (input_image,) = fig.axes[0].images
    assert np.allclose(input_image.get_array()[0, 0], rgb[0, 0])  # pixel 0 in the colour of weight 1
    plt.close(fig)


def test_random_weights_with_kernel_and_title():
    torch.manual_seed(0)
    kernel = torch.randn(3, 3)
    fig = plot_conv_matrix(conv_matrix(kernel), (6, 6), row=10, kernel=kernel, title="shared weights")
    assert fig.get_suptitle() == "shared weights" and len(fig.axes) == 4  # + the kernel
    ax_in, ax_m, _, ax_k = fig.axes
    assert patches(ax_in, "read") == [14, 15, 16, 20, 21, 22, 26, 27, 28]  # output (2, 2)
    assert ax_k.get_title() == "kernel" and len(ax_k.texts) == 9
    assert np.allclose(ax_k.images[0].get_array()[0, 0], ax_in.images[0].get_array()[2, 2])  # same weight, colour
    plt.close(fig)


def test_many_distinct_weights_fall_back_to_a_colour_scale():
    torch.manual_seed(1)
    kernel = torch.randn(5, 5)
    fig = plot_conv_matrix(conv_matrix(kernel, 8), 8, kernel=kernel)
    assert len(fig.axes) == 5  # input, matrix, output, kernel, colour bar
    assert "25 distinct values" in fig.get_suptitle() and "too many" in fig.axes[-1].get_xlabel()
    assert not fig.axes[1].texts  # cells too small for values
    plt.close(fig)


def test_non_square_output_needs_output_size():
    kernel = torch.ones(1, 3)
    M = F.conv2d(torch.eye(12).view(12, 1, 3, 4), kernel.view(1, 1, 1, 3)).view(12, -1).T  # 3×2 output
    with pytest.raises(ValueError, match=r"6 rows \(output pixels\), not a square number.*output_size="):
        plot_conv_matrix(M, (3, 4))
    fig = plot_conv_matrix(M, (3, 4), output_size=(3, 2), row=3)
    assert patches(fig.axes[0], "read") == [5, 6, 7] and "1 distinct value" in fig.get_suptitle()
    with pytest.raises(ValueError, match=r"`output_size` 2×2 has 4 pixels, but the matrix has 6 rows"):
        plot_conv_matrix(M, (3, 4), output_size=2)
    plt.close(fig)


@pytest.mark.parametrize(
    ("matrix", "kwargs", "error", "match"),
    [
        (torch.zeros(2, 16, 36), {}, ValueError, r"must be 2-D \(output pixels, input pixels\), got shape \(2, 16, 36\)"),
        (torch.ones(36), {}, ValueError, r"must be 2-D"),
        (conv_matrix(KERNEL), {"input_size": 5}, ValueError,
         r"`matrix` has 36 columns, one per input pixel, but input_size 5×5 has 25 pixels"),
        (conv_matrix(KERNEL), {"row": 16}, ValueError, r"`row` is 16, out of range: the matrix has 16 rows.*0 to 15"),
        (conv_matrix(KERNEL), {"row": -1}, ValueError, r"`row` is -1, out of range"),
        (torch.zeros(16, 36), {}, ValueError, r"`matrix` is all zeros: nothing to draw"),
        ([["a", "b"], ["c", "d"]], {"input_size": (1, 2)}, TypeError, r"must hold numbers \(int or float\), got dtype <U1"),
        (np.array([[None, 1.0]]), {"input_size": (1, 2)}, TypeError, r"must hold numbers.*got dtype object"),
        (torch.ones(2, 2, dtype=torch.bool), {"input_size": (1, 2)}, TypeError, r"got dtype bool"),
        (torch.full((4, 9), float("nan")), {"input_size": 3}, ValueError, r"NaN or infinite"),
        (conv_matrix(KERNEL), {"input_size": (6, 0)}, ValueError, r"`input_size` must be \(height, width\)"),
        (conv_matrix(KERNEL), {"kernel": KERNEL + 0.5}, ValueError, r"kernel weight 1\.5 is nowhere in `matrix`"),
    ],
)  # fmt: skip
def test_errors(matrix, kwargs, error, match):
    kwargs = {"input_size": 6} | kwargs
    with pytest.raises(error, match=match):
        plot_conv_matrix(matrix, **kwargs)


def test_row_inputs_checks_its_row():
    with pytest.raises(ValueError, match=r"`row` is 3, out of range: the matrix has 2 rows"):
        row_inputs(torch.eye(2), 3)
    with pytest.raises(TypeError, match=r"`row` is True"):
        row_inputs(torch.eye(2), True)
