package io.github.ssl4j.core.train;

/**
 * One entry of the loss history.
 *
 * @param step 1-based global step (number of optimiser steps taken after this one)
 * @param epoch 0-based epoch the step belongs to
 * @param loss minibatch loss reported by DL4J for this step (computed before the update)
 * @param learningRate learning rate used by this step
 * @param seconds wall-clock seconds since the run started (accumulated across resumes)
 */
public record LossRecord(long step, int epoch, double loss, double learningRate, double seconds) {}
