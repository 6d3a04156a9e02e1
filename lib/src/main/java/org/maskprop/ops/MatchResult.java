package org.maskprop.ops;

import ai.djl.ndarray.NDArray;

/**
 * Output of {@link Matcher}: for each of N predictions, {@code matched} (int64 {@code [N]}) is the
 * index of its best ground truth and {@code labels} (int32 {@code [N]}) is one of {@link
 * Matcher#IGNORE}, {@link Matcher#NEGATIVE}, {@link Matcher#POSITIVE}. {@code matched} is
 * meaningful only where the label is positive.
 */
public record MatchResult(NDArray matched, NDArray labels) {}
