/**
 * SimSiam (Chen &amp; He 2021): {@link io.github.ssl4j.tasks.simsiam.SimSiamTask} (projector,
 * predictor, stop-gradient) and its symmetric negative cosine {@link
 * io.github.ssl4j.tasks.simsiam.NegativeCosineLoss}.
 */
package io.github.ssl4j.tasks.simsiam;
