/**
 * Experiment tracking in MLflow's model (DESIGN.md section 7): {@link org.maskprop.tracking.Tracker}
 * with a file-store implementation that writes MLflow 2.17.2's own {@code mlruns/} layout
 * ({@link org.maskprop.tracking.FileStoreTracker}, read back by
 * {@link org.maskprop.tracking.FileStoreReader}) and a server implementation over the MLflow Java
 * client that buffers and retries so training never waits for or fails on the server
 * ({@link org.maskprop.tracking.MlflowServerTracker}). {@link org.maskprop.tracking.Trackers} picks one
 * from {@code MLFLOW_TRACKING_URI}. See mlflow/README.md.
 */
package org.maskprop.tracking;
