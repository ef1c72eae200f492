package io.github.ssl4j.spark;

import io.github.ssl4j.core.train.TrainingLoop;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Executor side of one parameter-averaging round: the worker of a partition loads the driver's
 * parameters and updater state, takes steps {@code [from, to)} on its own batches through the
 * one step loop ({@link TrainingLoop}) and returns its parameters, updater state and losses.
 */
final class ParameterAveragingRound implements Function2<Integer, Iterator<INDArray>, Iterator<WorkerUpdate>> {
  private static final long serialVersionUID = 1L;

  /** The driver's state at the start of a round. */
  record Start(INDArray params, INDArray updaterState, long from, long to) implements java.io.Serializable {}

  private final Broadcast<WorkerSpec> spec;
  private final Broadcast<Start> start;

  ParameterAveragingRound(Broadcast<WorkerSpec> spec, Broadcast<Start> start) {
    this.spec = spec;
    this.start = start;
  }

  @Override
  public Iterator<WorkerUpdate> call(Integer partition, Iterator<INDArray> examples) {
    WorkerSpec s = spec.value();
    Start st = start.value();
    WorkerSpec.Worker worker = s.worker(partition, examples);
    worker.load(st.params(), st.updaterState(), st.from());
    List<Double> losses = new ArrayList<>();
    TrainingLoop.builder(TrainingLoop.Network.of(worker.graph), worker.batches(), s.stepsPerEpoch(), st.to())
        .startStep(st.from(), 0)
        .seed(worker.seed)
        .prefetchDepth(s.prefetchDepth())
        .dataType(s.dataType())
        .excludeRegularization(s.excludeRegularization())
        .listener(new TrainingLoop.Listener() {
          @Override
          public void onStep(TrainingLoop.State state) {
            losses.add(state.loss());
          }
        })
        .build().run();
    INDArray updater = worker.graph.getUpdater(true).getStateViewArray();
    WorkerUpdate out = new WorkerUpdate(partition, worker.graph.params().dup(),
        updater == null ? null : updater.dup(), losses.stream().mapToDouble(Double::doubleValue).toArray());
    return List.of(out).iterator();
  }
}
