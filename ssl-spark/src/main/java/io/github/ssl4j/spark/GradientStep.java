package io.github.ssl4j.spark;

import io.github.ssl4j.core.train.Seeds;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Executor side of one gradient-sharing step: the worker of a partition loads the driver's
 * parameters, computes the gradient of its batch for the step (DL4J's raw gradient, before the
 * updater, clipping and weight decay) and returns it with the batch's loss.
 */
final class GradientStep implements Function2<Integer, Iterator<INDArray>, Iterator<WorkerUpdate>> {
  private static final long serialVersionUID = 1L;

  /** The driver's parameters at a step. */
  record Start(INDArray params, long step) implements java.io.Serializable {}

  private final Broadcast<WorkerSpec> spec;
  private final Broadcast<Start> start;

  GradientStep(Broadcast<WorkerSpec> spec, Broadcast<Start> start) {
    this.spec = spec;
    this.start = start;
  }

  @Override
  public Iterator<WorkerUpdate> call(Integer partition, Iterator<INDArray> examples) {
    WorkerSpec s = spec.value();
    Start st = start.value();
    WorkerSpec.Worker worker = s.worker(partition, examples);
    worker.load(st.params(), null, st.step());
    MultiDataSet batch = worker.batch(st.step());
    Nd4j.getRandom().setSeed(Seeds.forNd4j(Seeds.mix(worker.seed, "dropout", st.step())));
    ComputationGraph graph = worker.graph;
    graph.setInputs(batch.getFeatures());
    graph.setLabels(batch.getLabels());
    graph.setLayerMaskArrays(batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
    graph.computeGradientAndScore();
    double regularization = s.excludeRegularization() ? graph.calcRegularizationScore(true) : 0;
    double loss = graph.score() - regularization;
    INDArray gradient = graph.getFlattenedGradients().dup();
    graph.clearLayerMaskArrays();
    graph.clear();
    return List.of(new WorkerUpdate(partition, gradient, null, new double[] {loss})).iterator();
  }
}
