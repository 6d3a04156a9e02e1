/**
 * Backbones: {@link org.maskprop.model.backbone.ResNet} (ResNet-18/50/101, ResNeXt-101 64x4d as in
 * torchvision's resnet.py, with frozen BatchNorm and frozen stages), {@link
 * org.maskprop.model.backbone.Fpn} (torchvision's FeaturePyramidNetwork with LastLevelMaxPool: P2..P6)
 * and {@link org.maskprop.model.backbone.FpnBackbone} (both together). Block and parameter names follow
 * torchvision so that its weights import by name ({@code org.maskprop.model.TorchvisionWeights},
 * {@code lib/WEIGHTS.md}). Tensors are NCHW float32.
 */
package org.maskprop.model.backbone;
