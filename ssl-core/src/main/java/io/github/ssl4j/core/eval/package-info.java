/**
 * Evaluation of representations: everything here works on plain arrays of representations
 * (shape [n, d]) or on any {@link io.github.ssl4j.core.eval.Classifier}, so it does not depend on
 * how the representations were produced.
 *
 * <ul>
 *   <li>{@link io.github.ssl4j.core.eval.KnnClassifier}: weighted kNN (InstDisc, lightly), k = 200,
 *       T = 0.1 by default.
 *   <li>{@link io.github.ssl4j.core.eval.LinearProbe}: multinomial logistic regression on frozen
 *       representations, trained with minibatch Adam or fitted to convergence with full-batch
 *       L-BFGS.
 *   <li>{@link io.github.ssl4j.core.eval.StratifiedSampler} and
 *       {@link io.github.ssl4j.core.eval.LabelBudget}: fixed-seed stratified label subsets.
 *   <li>{@link io.github.ssl4j.core.eval.FewLabelProtocol}: pretrained vs scratch on the same
 *       label subsets, reported side by side.
 *   <li>{@link io.github.ssl4j.core.eval.Metrics}: accuracy, precision, recall, F1, confusion
 *       matrix.
 * </ul>
 *
 * <p>Configurations and results are immutable; nothing in this package logs.
 */
package io.github.ssl4j.core.eval;
