#!/usr/bin/python3
"""Golden fixtures for org.maskprop.model.backbone.{ResNet, Fpn} and model.TorchvisionWeights.

Run with Debian's torch 1.13 / torchvision 0.14 (deterministic, seeded):
    /usr/bin/python3 lib/src/test/python/make_backbone_fixtures.py
Writes into lib/src/test/resources/model/backbone/:
  r18w8-fpn16.weights.npz   state_dict of a Mask R-CNN-style backbone (keys backbone.body.*,
                            backbone.fpn.*) built from torchvision's own ResNet/BasicBlock code with
                            ResNet-18 depths and every ResNet width divided by 8, FrozenBatchNorm2d
                            (as torchvision's pretrained Mask R-CNN), FPN of 16 channels with
                            LastLevelMaxPool; random weights and random, non-trivial BN statistics.
  r18w8-fpn16.io.npz        one input [1, 3, 72, 56] and the outputs c2..c5, p2..p6 (eval mode).
  x101w16-fpn16.*.npz       the same for ResNeXt-101 64x4d depths and groups with widths / 16
                            (groups 4, 4 channels per group) and plain BatchNorm2d in eval mode;
                            weights stored as float16 (rounded before the reference forward pass).
  torchvision-keys.json     key -> shape of the real resnet18, resnet50, resnet101,
                            resnext101_64x4d and maskrcnn_resnet50_fpn state dicts (names only).
With --full DIR it also writes full-size resnet18 (ImageNet-style keys) and maskrcnn_resnet50_fpn
backbone fixtures to DIR (too big for git; read by FullSizeBackboneCheck when
-Dmaskprop.fullFixtures=DIR is given).

The reduced nets call torchvision's ResNet._make_layer, BasicBlock, Bottleneck, BackboneWithFPN,
FeaturePyramidNetwork and LastLevelMaxPool; only the stem width and the per-stage planes differ from
torchvision's constructor, so the key names have the real structure.
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from torch import nn
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool
from torchvision.ops.misc import FrozenBatchNorm2d

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "model", "backbone")


class ReducedResNet(ResNet):
    """torchvision ResNet with stem width 64/d and planes (64, 128, 256, 512)/d."""

    def __init__(self, block, layers, divisor, groups=1, width_per_group=64, norm_layer=None):
        nn.Module.__init__(self)
        norm_layer = norm_layer or nn.BatchNorm2d
        self._norm_layer = norm_layer
        base = 64 // divisor
        self.inplanes = base
        self.dilation = 1
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, base, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(base)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, base, layers[0])
        self.layer2 = self._make_layer(block, base * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, base * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, base * 8, layers[3], stride=2)


def randomize(module, gen):
    """Random weights and BN statistics/affine far from identity, so that every term matters."""
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                t.copy_(0.5 + torch.rand(t.shape, generator=gen))
            elif name.endswith("running_mean"):
                t.copy_(0.2 * torch.randn(t.shape, generator=gen))
            elif t.dim() == 1:  # BN weight/bias, conv bias
                base = 1.0 if name.endswith("weight") else 0.0  # 1-dim weights are norm scales
                t.copy_(base + 0.2 * torch.randn(t.shape, generator=gen))
            else:  # conv weight: He-like scale keeps activations O(1) through the depth
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=gen) * (1.0 / fan_in) ** 0.5)


class Wrapper(nn.Module):
    """Gives keys the backbone. prefix of a Mask R-CNN state dict."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone


def backbone_with_fpn(body, fpn_channels):
    c = body.layer1[-1]
    c2 = (c.conv3 if hasattr(c, "conv3") else c.conv2).out_channels
    return BackboneWithFPN(
        body, {"layer1": "0", "layer2": "1", "layer3": "2", "layer4": "3"},
        [c2, c2 * 2, c2 * 4, c2 * 8], fpn_channels, extra_blocks=LastLevelMaxPool())


def run(model, x):
    body = model.backbone.body
    feats = body(x)  # IntermediateLayerGetter: OrderedDict '0'..'3'
    fpn = model.backbone.fpn(feats)
    out = {"c%d" % (i + 2): feats[str(i)] for i in range(4)}
    for i, k in enumerate(["0", "1", "2", "3", "pool"]):
        out["p%d" % (i + 2)] = fpn[k]
    return out


def save_pair(directory, name, model, x, half=False):
    """half: weights rounded to float16 first and stored so (halves the file); the forward pass still
    runs in float32 on the rounded values, so the fixture is exact for the stored weights."""
    model.eval()
    if half:
        with torch.no_grad():
            for k, v in model.state_dict().items():
                if v.is_floating_point():
                    v.copy_(v.half().float())
    with torch.no_grad():
        out = run(model, x)
    sd = model.state_dict()
    np.savez(os.path.join(directory, name + ".weights.npz"),
             **{k: (v.half() if half and v.is_floating_point() else v).numpy() for k, v in sd.items()})
    io = {"input": x.numpy()}
    io.update({k: v.numpy() for k, v in out.items()})
    np.savez(os.path.join(directory, name + ".io.npz"), **io)
    print(name, {k: tuple(v.shape) for k, v in out.items()})


def key_shapes():
    models = {
        "resnet18": torchvision.models.resnet18(weights=None),
        "resnet50": torchvision.models.resnet50(weights=None),
        "resnet101": torchvision.models.resnet101(weights=None),
        "resnext101_64x4d": torchvision.models.resnext101_64x4d(weights=None),
        "maskrcnn_resnet50_fpn": torchvision.models.detection.maskrcnn_resnet50_fpn(
            weights=None, weights_backbone=None),
    }
    return {n: {k: list(v.shape) for k, v in m.state_dict().items()} for n, m in models.items()}


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20260)
    os.makedirs(OUT, exist_ok=True)
    x = torch.randn(1, 3, 72, 56, generator=gen)

    r18 = ReducedResNet(BasicBlock, [2, 2, 2, 2], 8, norm_layer=FrozenBatchNorm2d)
    m = Wrapper(backbone_with_fpn(r18, 16))
    randomize(m, gen)
    save_pair(OUT, "r18w8-fpn16", m, x)

    # ResNeXt 64x4d at width / 16: width of the grouped conv = 4 * planes(full) / 16 with 4 channels
    # per group -> groups 64 / 16 = 4; torchvision's width = planes * (base_width / 64) * groups.
    x101 = ReducedResNet(Bottleneck, [3, 4, 23, 3], 16, groups=4, width_per_group=4 * 16)
    m = Wrapper(backbone_with_fpn(x101, 16))
    randomize(m, gen)
    save_pair(OUT, "x101w16-fpn16", m, x, half=True)

    with open(os.path.join(OUT, "torchvision-keys.json"), "w") as f:
        models = key_shapes()  # one key per line, in state-dict order
        f.write("{\n" + ",\n".join(
            json.dumps(n) + ": {\n" + ",\n".join(json.dumps(k) + ": " + json.dumps(v) for k, v in d.items())
            + "\n}" for n, d in models.items()) + "\n}\n")

    if len(sys.argv) == 3 and sys.argv[1] == "--full":
        full = sys.argv[2]
        os.makedirs(full, exist_ok=True)
        xf = torch.randn(1, 3, 224, 192, generator=gen)
        r18 = torchvision.models.resnet18(weights=None)
        randomize(r18, gen)
        r18.eval()
        with torch.no_grad():
            y = r18.maxpool(r18.relu(r18.bn1(r18.conv1(xf))))
            outs = {}
            for i in range(1, 5):
                y = getattr(r18, "layer%d" % i)(y)
                outs["c%d" % (i + 1)] = y.numpy()
        np.savez(os.path.join(full, "resnet18.weights.npz"),
                 **{k: v.numpy() for k, v in r18.state_dict().items()})
        np.savez(os.path.join(full, "resnet18.io.npz"), input=xf.numpy(), **outs)
        mr = torchvision.models.detection.maskrcnn_resnet50_fpn(weights=None, weights_backbone=None)
        randomize(mr, gen)
        save_pair(full, "maskrcnn_resnet50_fpn", Wrapper(mr.backbone), xf)
        print("full-size fixtures in", full)


if __name__ == "__main__":
    main()
