package io.github.ssl4j.spark;

import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.Minibatches;
import io.github.ssl4j.core.data.Rows;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.core.train.TrainingLoop;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every worker of one run needs, broadcast once: the graph configuration, the task recipe
 * and the batch settings. Workers keep their partition's examples and their graph between rounds
 * in this JVM ({@link #worker}), keyed by the run.
 *
 * <p><b>Worker randomness.</b> Worker {@code w} of {@code W} draws from the seed {@link
 * #workerSeed}: the run's seed when {@code W = 1} (so one worker replays the single-JVM {@code
 * Trainer} exactly), otherwise {@code Seeds.mix(seed, "worker", w)}. From it, as in the
 * single-JVM trainer: the shuffle of its partition per epoch, the generator of {@code prepare} for
 * step {@code s} ({@code "prepare", s}) and ND4J's generator before step {@code s} ({@code
 * "dropout", s}).
 */
record WorkerSpec(String runKey, String graphJson, SerializableSupplier<? extends PretextTask> task,
    long seed, int workers, int batchSize, long stepsPerEpoch, DataType dataType, int prefetchDepth,
    boolean excludeRegularization) implements Serializable {

  private static final Map<String, Worker> WORKERS = new ConcurrentHashMap<>();

  /** The seed of worker {@code worker} of {@code workers}. */
  static long workerSeed(long seed, int worker, int workers) {
    return workers == 1 ? seed : Seeds.mix(seed, "worker", worker);
  }

  /** This JVM's worker for {@code partition}, built on first use from the partition's examples. */
  Worker worker(int partition, Iterator<INDArray> examples) {
    WORKERS.keySet().removeIf(k -> !k.startsWith(runKey + "/"));
    return WORKERS.computeIfAbsent(runKey + "/" + partition, k -> new Worker(this, partition, examples));
  }

  /** Forgets this JVM's workers of run {@code runKey} (frees their examples and graphs). */
  static void release(String runKey) {
    WORKERS.keySet().removeIf(k -> k.startsWith(runKey + "/"));
  }

  /** One partition's examples, batches and graph. */
  static final class Worker {
    final WorkerSpec spec;
    final long seed;
    final ComputationGraph graph;
    final PretextTask task;
    private final INDArray flat;
    private final long[] shape;
    private final Minibatches order;

    Worker(WorkerSpec spec, int partition, Iterator<INDArray> examples) {
      Dl4jRuntime.configureForTraining();
      this.spec = spec;
      this.seed = workerSeed(spec.seed(), partition, spec.workers());
      this.task = spec.task().get();
      List<INDArray> rows = new ArrayList<>();
      examples.forEachRemaining(rows::add);
      INDArray stacked = Nd4j.stack(0, rows.toArray(INDArray[]::new));
      this.shape = stacked.shape();
      this.flat = Rows.flat(stacked);
      this.order = Minibatches.dropLast(rows.size(), spec.batchSize(), seed);
      this.graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(spec.graphJson()));
      graph.init();
      LayerHelpers.install(graph);
    }

    /** The prepared batch of global step {@code step} of this worker. */
    MultiDataSet batch(long step) {
      INDArray x = Rows.pull(flat, shape, order.indices(step));
      MultiDataSet mds = task.prepare(x, new SplittableRandom(Seeds.mix(seed, "prepare", step)));
      if (mds == null) {
        throw new IllegalStateException("PretextTask '" + task.id() + "' prepare() returned null");
      }
      return mds;
    }

    TrainingLoop.Batches batches() {
      return this::batch;
    }

    /** Loads the driver's parameters (and updater state, if not null) and counters into the graph. */
    void load(INDArray params, INDArray updaterState, long step) {
      graph.setParams(params);
      if (updaterState != null) {
        graph.getUpdater(true).setStateViewArray(updaterState);
      }
      graph.getConfiguration().setIterationCount(Math.toIntExact(step));
      graph.getConfiguration().setEpochCount(Math.toIntExact(step / spec.stepsPerEpoch()));
    }
  }
}
