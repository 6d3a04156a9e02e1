"""Golden fixture for org.maskprop.ops.MaskPaster: detectron2's paste convention
(mask_ops._do_paste_mask: pixel centres, grid_sample bilinear, align_corners=False, zero padding),
written out here with torch.nn.functional.grid_sample.

Run: /usr/bin/python3 lib/src/test/python/make_paste_fixtures.py
Writes lib/src/test/resources/ops/paste.npz (float64): masks [N, 28, 28], boxes [N, 4] xyxy,
frame size, pasted [N, H, W], upstream gradient grad_out, grad_masks, grad_boxes, and the same for a
stride-8 grid (boxes / 8 onto [gh, gw]). Deterministic (seeded).
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "ops")


def paste(masks, boxes, h, w):
    n = masks.shape[0]
    x0, y0, x1, y1 = boxes.unbind(1)
    cy = torch.arange(h, dtype=masks.dtype) + 0.5
    cx = torch.arange(w, dtype=masks.dtype) + 0.5
    gy = (cy[None, :] - y0[:, None]) / (y1 - y0)[:, None] * 2 - 1  # [N, H]
    gx = (cx[None, :] - x0[:, None]) / (x1 - x0)[:, None] * 2 - 1  # [N, W]
    grid = torch.stack([gx[:, None, :].expand(n, h, w), gy[:, :, None].expand(n, h, w)], dim=3)
    return F.grid_sample(masks[:, None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)[:, 0]


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(2024)
    d = torch.float64
    n, h, w, stride = 4, 37, 45, 8
    masks = torch.rand(n, 28, 28, generator=gen, dtype=d, requires_grad=True)
    # Inside, crossing the left/top border, crossing the bottom/right border, tiny.
    boxes = torch.tensor([[5.3, 7.1, 30.6, 29.9], [-6.2, -3.5, 12.4, 20.2], [20.7, 15.2, 51.9, 44.0],
                          [10.2, 11.7, 13.9, 14.1]], dtype=d, requires_grad=True)
    out = paste(masks, boxes, h, w)
    grad_out = torch.randn(out.shape, generator=gen, dtype=d)
    out.backward(grad_out)
    gh, gw = (h + stride - 1) // stride, (w + stride - 1) // stride
    masks2 = masks.detach().clone().requires_grad_(True)
    grid_out = paste(masks2, boxes.detach() / stride, gh, gw)
    grid_grad_out = torch.randn(grid_out.shape, generator=gen, dtype=d)
    grid_out.backward(grid_grad_out)
    arrays = dict(masks=masks, boxes=boxes, frame=torch.tensor([h, w, stride, gh, gw], dtype=torch.int64),
                  out=out, grad_out=grad_out, grad_masks=masks.grad, grad_boxes=boxes.grad,
                  grid_out=grid_out, grid_grad_out=grid_grad_out, grid_grad_masks=masks2.grad)
    np.savez_compressed(os.path.join(OUT, "paste.npz"), **{k: v.detach().numpy() for k, v in arrays.items()})


if __name__ == "__main__":
    main()
