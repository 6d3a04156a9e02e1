#!/usr/bin/python3
"""Dumps the exact inputs the peer harness (peer_torch.py) times for roi_align and nms, so that
org.maskprop.bench.DetectionOpsBench does the same work.

    /usr/bin/python3 lib/src/test/python/dump_bench_inputs.py [/work/shared/bench]

roi_align: peer_torch.build_roi_align draws the feature map first and then the "realistic" boxes
from one generator seeded with 0; we replay those draws with the peer's own functions and keep only
the boxes (the feature values do not change the work). nms: copies inputs/nms-*.npz.
Output: lib/src/main/resources/org/maskprop/bench/{roi-boxes-n512,roi-boxes-n1000,nms-n1000-c1-seed0,
nms-n10000-c1-seed0}.npz
"""
import os
import shutil
import sys

import numpy as np
import torch

peer_dir = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/bench"
sys.path.insert(0, peer_dir)
import peer_torch  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "resources",
                   "org", "maskprop", "bench")
os.makedirs(OUT, exist_ok=True)
c, h, w, stride = 256, 200, 304, 4
for n in (512, 1000):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    torch.randn(1, c, h, w, generator=gen)  # the peer's feature map (same draw order)
    boxes, _ = peer_torch.realistic_boxes(n, h * stride, w * stride, gen)
    np.savez(os.path.join(OUT, f"roi-boxes-n{n}.npz"), boxes=boxes.numpy())
for n in (1000, 10000):
    name = f"nms-n{n}-c1-seed0.npz"
    shutil.copyfile(os.path.join(peer_dir, "inputs", name), os.path.join(OUT, name))
