/**
 * Contrastive pretraining (SimCLR): the building blocks a contrastive pretext task
 * composes.
 *
 * <ul>
 *   <li>{@link io.github.ssl4j.tasks.contrastive.InfoNceLoss}: NT-Xent / InfoNCE as a DL4J output
 *       layer; input embeddings [rows, d], labels = image id per row [rows, 1].
 *   <li>{@link io.github.ssl4j.tasks.contrastive.ProjectionHead}: the MLP head between encoder and
 *       loss, vertices {@code head/proj1..k}.
 *   <li>{@link io.github.ssl4j.tasks.contrastive.augment}: batch image augmentations and the
 *       multi-view transform producing the [views * n, c, h, w] batch.
 * </ul>
 *
 * <pre>{@code
 * String rep = encoder.addTo(graph, VertexNames.INPUT);
 * String z = ProjectionHead.simclr().addTo(graph, rep);
 * graph.addLayer(VertexNames.loss("infonce"), InfoNceLoss.withTemperature(0.5), z);
 * // per step: features = MultiViewTransform.simclr().apply(images, rng)      [2n, 1, 28, 28]
 * //           labels   = InfoNceLoss.viewLabels(n, 2, DataType.FLOAT)    [2n, 1]
 * }</pre>
 */
package io.github.ssl4j.tasks.contrastive;
