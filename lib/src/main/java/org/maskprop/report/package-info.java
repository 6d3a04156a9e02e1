/**
 * Reports (DESIGN.md section 7): {@link org.maskprop.report.ResultTables} (Tablesaw tables in the
 * paper's layout, Markdown and HTML, with {@link org.maskprop.report.PaperTables}' published numbers),
 * {@link org.maskprop.report.Charts} (XChart training curves, Fig. 6's clip-length curve, AP bars),
 * {@link org.maskprop.report.OverlayRenderer} (instance masks over frames, PNG and MP4) and
 * {@link org.maskprop.report.ExperimentReport} (all of it for one tracked experiment, read back from
 * the MLflow file store).
 */
package org.maskprop.report;
