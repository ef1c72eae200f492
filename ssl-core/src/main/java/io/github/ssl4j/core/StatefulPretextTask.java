package io.github.ssl4j.core;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A {@link PretextTask} that needs more than backpropagation through its graph: a momentum encoder,
 * an EMA teacher, a queue of negatives, a running centre (MoCo, BYOL, DINO). The trainer builds and
 * trains the online graph as for any task, and drives the {@link MethodState} this task creates
 * around every step, saving it in checkpoints and restoring it on resume.
 *
 * <p>{@link #prepare} may return a batch that only {@link MethodState#beforeStep} completes (e.g.
 * without the teacher's targets, which need the state); the contract test ({@code
 * PretextTaskContract}) feeds prepared batches through a state before fitting or scoring them.
 */
public interface StatefulPretextTask extends PretextTask {

  /**
   * Creates the state for {@code online}, a graph built from {@link #buildGraph} and initialised
   * (fresh, or restored from a checkpoint; on resume the trainer then calls {@link
   * MethodState#restore}). A teacher network starts as a copy of the online parameters.
   *
   * @param online the trained graph; the state may keep it and read its parameters after each step
   * @param seed the only source of randomness the state may use (e.g. a queue's initial contents)
   * @return a new state, owned by the caller
   */
  MethodState createState(ComputationGraph online, long seed);
}
