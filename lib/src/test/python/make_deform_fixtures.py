"""Golden fixtures for org.maskprop.ops.DeformConv2d from torchvision.ops.deform_conv2d.

Run with Debian's interpreter (torch 1.13, torchvision 0.14):
    /usr/bin/python3 lib/src/test/python/make_deform_fixtures.py
Writes lib/src/test/resources/ops/deform_<name>.npz (float64), one file per config, with the
inputs (x, offset, weight, bias, [mask]), the upstream gradient grad_out, the output out and the
gradients grad_x, grad_offset, grad_weight, grad_bias, [grad_mask]. Deterministic (seeded).
"""
import os

import numpy as np
import torch
from torchvision.ops import deform_conv2d

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "ops")

# name: (N, C, H, W, Cout, kh, kw, stride, padding, dilation, groups, offset_groups, mask, offset_std)
CONFIGS = {
    "basic": (2, 4, 7, 6, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, False, 1.0),
    "groups_mask_stride": (1, 6, 8, 7, 4, 3, 3, (2, 2), (1, 1), (1, 1), 2, 3, True, 1.5),
    "dilation3_mask": (1, 3, 9, 10, 2, 3, 3, (1, 1), (3, 3), (3, 3), 1, 1, True, 2.0),
    "rect_kernel_far": (1, 2, 6, 8, 3, 3, 2, (2, 1), (2, 0), (2, 1), 1, 2, False, 4.0),
}


def make(name, cfg, seed):
    n, c, h, w, cout, kh, kw, stride, padding, dilation, groups, og, use_mask, std = cfg
    gen = torch.Generator().manual_seed(seed)
    ho = (h + 2 * padding[0] - (dilation[0] * (kh - 1) + 1)) // stride[0] + 1
    wo = (w + 2 * padding[1] - (dilation[1] * (kw - 1) + 1)) // stride[1] + 1
    d = torch.float64
    x = torch.randn(n, c, h, w, generator=gen, dtype=d, requires_grad=True)
    offset = (torch.randn(n, 2 * og * kh * kw, ho, wo, generator=gen, dtype=d) * std).requires_grad_(True)
    weight = torch.randn(cout, c // groups, kh, kw, generator=gen, dtype=d, requires_grad=True)
    bias = torch.randn(cout, generator=gen, dtype=d, requires_grad=True)
    mask = torch.rand(n, og * kh * kw, ho, wo, generator=gen, dtype=d, requires_grad=True) if use_mask else None
    out = deform_conv2d(x, offset, weight, bias, stride=stride, padding=padding, dilation=dilation, mask=mask)
    grad_out = torch.randn(out.shape, generator=gen, dtype=d)
    out.backward(grad_out)
    arrays = dict(
        x=x, offset=offset, weight=weight, bias=bias, grad_out=grad_out, out=out,
        grad_x=x.grad, grad_offset=offset.grad, grad_weight=weight.grad, grad_bias=bias.grad,
        config=torch.tensor([stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups],
                            dtype=torch.int64),
    )
    if use_mask:
        arrays.update(mask=mask, grad_mask=mask.grad)
    np.savez_compressed(os.path.join(OUT, f"deform_{name}.npz"),
                        **{k: v.detach().numpy() for k, v in arrays.items()})


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, cfg) in enumerate(CONFIGS.items()):
        make(name, cfg, seed=1000 + i)


if __name__ == "__main__":
    main()
