/**
 * Building blocks shared by the two-view methods that need no negatives (SimSiam, Barlow Twins,
 * VICReg): {@link io.github.ssl4j.tasks.twoview.TwoViewBatches} makes the batch of two augmented
 * views (view 1 of N images in rows 0..N-1, view 2 in rows N..2N-1) and adds the encoder;
 * {@link io.github.ssl4j.tasks.twoview.PairedViewLoss} is the base of their closed-form losses,
 * each a DL4J {@code LossLayer} loss function.
 */
package io.github.ssl4j.tasks.twoview;
