/**
 * Workarounds for DeepLearning4J 1.0.0-M2.1 bugs, each pinned by a regression test that fails
 * when DL4J fixes (or changes) the bug; the labels (B1, B3, ...) are those of docs/development/dl4j-workarounds.md.
 *
 * <ul>
 *   <li>{@link io.github.ssl4j.core.dl4j.LayerHelpers}: oneDNN layer helpers per graph (B4);
 *       {@link io.github.ssl4j.core.dl4j.Dl4jRuntime}: the training set-up and a report of it.
 *   <li>{@link io.github.ssl4j.core.dl4j.SameDiffGradients}: gradient functions without ND4J's
 *       stdout chatter.
 *   <li>{@link io.github.ssl4j.core.dl4j.FixedSameDiffLoss}: {@code SameDiffLoss} that trains correctly (B1).
 *   <li>{@link io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer}: base for custom SameDiff layers with correct gradients (B2).
 *   <li>{@link io.github.ssl4j.core.dl4j.VertexActivations}: one vertex's activations without leaving the
 *       forward pass's others to the garbage collector.
 *   <li>{@link io.github.ssl4j.core.dl4j.SameDiffOps}: safe log-sum-exp, log-softmax, softmax cross-entropy, diagonal masks (B3).
 *   <li>{@link io.github.ssl4j.core.dl4j.JavaAdamUpdater}: DL4J's Adam step computed in Java, bit-identical (B17).
 * </ul>
 */
package io.github.ssl4j.core.dl4j;
