package org.maskprop.train;

/** A loss became NaN or infinite (DJL's {@code DivergenceCheckTrainingListener}); the CLI exits 3. */
public class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(String message) {
    super(message);
  }
}
