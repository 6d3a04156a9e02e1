/**
 * The assembled network: {@link org.maskprop.model.VideoMaskRcnn} (detector plus mask propagation
 * branch and optional refiner, with explicit training, detection and propagation entry points),
 * {@link org.maskprop.model.FrameOutput} (what inference caches per frame), {@link
 * org.maskprop.model.ModelFactory} (the one place where config sections become components) and
 * {@link org.maskprop.model.TorchvisionWeights} (weight import by name).
 */
package org.maskprop.model;
