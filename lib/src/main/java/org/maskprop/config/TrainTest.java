package org.maskprop.config;

/** A value that differs between training and inference (STYLE.md: never a map keyed by mode). */
public record TrainTest<T>(T train, T test) {
  public T get(boolean training) {
    return training ? train : test;
  }
}
