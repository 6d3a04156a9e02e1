package org.maskprop.train;

import ai.djl.nn.Block;
import java.util.List;

/** What a checkpoint saves and a resume restores: weights, optimizer slots, hook states. */
public interface TrainState {
  Block block();

  OwnedSgd optimizer();

  List<TrainingHook> hooks();
}
