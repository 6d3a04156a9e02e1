#!/usr/bin/python3
"""Golden fixtures for org.maskprop.ops.{RoiAlign, Nms} from torchvision itself.

Run with Debian's torch 1.13 / torchvision 0.14 (deterministic, seeded):
    /usr/bin/python3 lib/src/test/python/make_roi_nms_fixtures.py
Writes small .npz files into lib/src/test/resources/ops/ (read in Java with NDList.decode):
  roi_align.npz     single-level torchvision.ops.roi_align: outputs and input gradients for
                    aligned in {1, 0} x sampling_ratio in {0, 2} x output size in {7, 14}
  roi_align_ms.npz  torchvision.ops.MultiScaleRoIAlign over P2..P5 (aligned=False, as torchvision
                    uses it): output, per-level input gradients, and the per-box level assigned
                    by its LevelMapper
  nms.npz           torchvision.ops.batched_nms on random boxes with several classes and tied scores
"""
import os

import numpy as np
import torch
from torchvision.ops import MultiScaleRoIAlign, batched_nms, roi_align
from torchvision.ops.poolers import LevelMapper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "ops")


def single_level(gen):
    # Feature [2, 3, 11, 13] at stride 2 (image 22 x 26); boxes in image coordinates.
    feat = torch.randn(2, 3, 11, 13, generator=gen, dtype=torch.float32)
    boxes = [
        [0, 2.0, 3.0, 14.0, 17.0],    # inside
        [1, -6.0, -4.0, 8.0, 9.0],    # partly outside (top-left)
        [0, 15.0, 12.0, 35.0, 30.0],  # partly outside (bottom-right)
        [1, 4.3, 5.7, 5.1, 6.2],      # tiny (less than a feature pixel)
        [0, 40.0, 40.0, 50.0, 48.0],  # fully outside the image
        [1, 0.0, 0.0, 26.0, 22.0],    # whole image
        [0, 7.0, 7.0, 7.0, 7.0],      # degenerate (zero size)
        [1, -3.0, 10.0, 30.0, 11.0],  # long thin, sticks out on both sides
    ]
    rnd = torch.rand(8, 4, generator=gen) * torch.tensor([26.0, 22.0, 26.0, 22.0])
    rnd = torch.cat([rnd[:, :2].minimum(rnd[:, 2:]), rnd[:, :2].maximum(rnd[:, 2:])], dim=1)
    rnd = torch.cat([torch.randint(0, 2, (8, 1), generator=gen).float(), rnd], dim=1)
    rois = torch.cat([torch.tensor(boxes), rnd]).float()
    arrays = dict(feature=feat.numpy(), rois=rois.numpy(), spatial_scale=np.array([0.5], np.float32))
    for size in (7, 14):
        grad_out = torch.randn(len(rois), 3, size, size, generator=gen)
        arrays[f"grad_out_{size}"] = grad_out.numpy()
        for aligned in (True, False):
            for sr in (0, 2):
                x = feat.clone().requires_grad_(True)
                y = roi_align(x, rois, output_size=size, spatial_scale=0.5, sampling_ratio=sr, aligned=aligned)
                y.backward(grad_out)
                key = f"a{int(aligned)}_s{sr}_o{size}"
                arrays["out_" + key] = y.detach().numpy()
                arrays["grad_" + key] = x.grad.numpy()
    np.savez(os.path.join(OUT, "roi_align.npz"), **arrays)


def multi_level(gen):
    # Image 128 x 160, P2..P5 with strides 4..32, 2 images, boxes spanning all levels.
    names = ["p2", "p3", "p4", "p5"]
    feats = {n: torch.randn(2, 4, 128 // s, 160 // s, generator=gen) for n, s in zip(names, (4, 8, 16, 32))}
    sides = torch.tensor([8.0, 20.0, 50.0, 111.0, 112.0, 113.0, 150.0, 224.0, 300.0, 448.0, 600.0, 30.0])
    ctr = torch.rand(len(sides), 2, generator=gen) * torch.tensor([160.0, 128.0])
    ar = torch.exp((torch.rand(len(sides), generator=gen) - 0.5))  # h / w
    w, h = sides / ar.sqrt(), sides * ar.sqrt()
    boxes = torch.stack([ctr[:, 0] - w / 2, ctr[:, 1] - h / 2, ctr[:, 0] + w / 2, ctr[:, 1] + h / 2], 1)
    per_image = [boxes[:7], boxes[7:]]
    pooler = MultiScaleRoIAlign(names, output_size=7, sampling_ratio=2)
    for f in feats.values():
        f.requires_grad_(True)
    out = pooler(feats, per_image, [(128, 160), (128, 160)])
    grad_out = torch.randn(out.shape, generator=gen)
    out.backward(grad_out)
    levels = LevelMapper(2, 5)(per_image) + 2
    arrays = {n: f.detach().numpy() for n, f in feats.items()}
    arrays.update({"grad_" + n: f.grad.numpy() for n, f in feats.items()})
    arrays["grad_out"] = grad_out.numpy()
    out = out.detach()
    batch = torch.tensor([0] * 7 + [1] * 5, dtype=torch.float32)
    arrays.update(rois=torch.cat([batch[:, None], boxes], 1).numpy(), out=out.numpy(), levels=levels.numpy())
    np.savez(os.path.join(OUT, "roi_align_ms.npz"), **arrays)


def nms(gen):
    n = 300
    ctr = torch.rand(n, 2, generator=gen) * 100
    wh = 5 + torch.rand(n, 2, generator=gen) * 40
    boxes = torch.cat([ctr - wh / 2, ctr + wh / 2], 1)
    boxes[250:260] = boxes[240:250]                     # exact duplicates
    scores = torch.rand(n, generator=gen)
    scores[100:200] = (scores[100:200] * 10).floor() / 10  # many tied scores
    idxs = torch.randint(0, 3, (n,), generator=gen)
    arrays = dict(boxes=boxes.numpy(), scores=scores.numpy(), idxs=idxs.numpy())
    for iou in (0.3, 0.5, 0.7):
        arrays[f"keep_{int(iou * 10)}"] = batched_nms(boxes, scores, idxs, iou).numpy()
    np.savez(os.path.join(OUT, "nms.npz"), **arrays)


if __name__ == "__main__":
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    single_level(torch.Generator().manual_seed(1))
    multi_level(torch.Generator().manual_seed(2))
    nms(torch.Generator().manual_seed(3))
