/**
 * Training: the iteration loop ({@link org.maskprop.train.Trainer}), its hooks, the optimizer whose
 * state we own ({@link org.maskprop.train.OwnedSgd}), the LR schedule, gradient clipping and
 * checkpoints with resume ({@link org.maskprop.train.Checkpointer}).
 *
 * <p>Model-agnostic: anything that implements {@link org.maskprop.train.TrainableModel} trains. The
 * {@code train} command and the notebooks call {@link org.maskprop.train.TrainRun#run}, which composes
 * it as follows (plus data-path checks, the tracker run and a resume key that lets
 * {@code train.iterations} grow):
 *
 * <pre>{@code
 * MaskPropConfig cfg = MaskPropConfig.load(configFile, sets);
 * try (NDManager m = NDManager.newBaseManager();
 *     PairLoader loader = PairLoader.of(dataset, imageRoot, cfg.data(), cfg.train(), cfg.seed(), m)) {
 *   VideoMaskRcnn model = ModelFactory.build(cfg, m, cfg.data().minSize(), cfg.data().maxSize());
 *   Checkpointer ck = new Checkpointer(runDir, TrainRun.resumeKey(cfg), cfg.seed(), cfg.train().keepCheckpoints());
 *   List<TrainingHook> hooks = Hooks.standard(cfg.train(), ck, tracker, runId);
 *   try (Trainer<PairBatch> t = new Trainer<>(TrainRun.trainable(model), loader::load, cfg.train(), cfg.seed(),
 *       null, ck, hooks, m)) {
 *     if (resume) t.resumeOrLoad(runDir, true);
 *     t.train();
 *   }
 * }
 * }</pre>
 *
 * with {@code config.yaml} (= {@code cfg.toYaml()}) written into the run folder, and {@link
 * org.maskprop.train.TrainingDivergedException} mapped to exit code 3.
 */
package org.maskprop.train;
