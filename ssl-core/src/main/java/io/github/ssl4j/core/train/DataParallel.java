package io.github.ssl4j.core.train;

import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.parallelism.factory.TrainerContext;
import org.deeplearning4j.parallelism.trainer.DefaultTrainer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Data-parallel steps in one JVM ({@link TrainingConfig.Builder#workers(int)}): a step's batch is
 * split into equal shards, each prepared by the task on its own, and DL4J's {@link ParallelWrapper}
 * trains one replica of the graph per shard and averages parameters and updater state after the
 * step (averaging frequency 1). Replica 0 is the graph itself.
 *
 * <p>Randomness per shard {@code k} of step {@code s}: {@code prepare} draws from {@code
 * Seeds.mix(Seeds.mix(seed, "prepare", s), "worker", k)}, and the replica reseeds ND4J's generator
 * on its own thread with {@code Seeds.mix(Seeds.mix(seed, "dropout", s), "worker", k)} before its
 * step.
 */
final class DataParallel {
  private DataParallel() {}

  /**
   * The step's batch: {@code examples} ({@code [batchSize, ...]}) split into {@code workers}
   * contiguous shards, each prepared by {@code task}, merged back along the first dimension in shard
   * order (so {@link #network} can split it again into exactly those shards).
   */
  static MultiDataSet prepare(PretextTask task, INDArray examples, int workers, long seed, long step) {
    long n = examples.size(0);
    long shard = n / workers;
    List<MultiDataSet> shards = new ArrayList<>(workers);
    for (int k = 0; k < workers; k++) {
      INDArray part = rows(examples, k * shard, (k + 1) * shard);
      MultiDataSet mds = task.prepare(part,
          new SplittableRandom(Seeds.mix(Seeds.mix(seed, "prepare", step), "worker", k)));
      if (mds == null) {
        throw new IllegalStateException("PretextTask '" + task.id() + "' prepare() returned null");
      }
      shards.add(mds);
    }
    return org.nd4j.linalg.dataset.MultiDataSet.merge(shards);
  }

  /** {@code graph} trained by {@code workers} replicas through ParallelWrapper, one step per fit. */
  static TrainingLoop.Network network(ComputationGraph graph, int workers, long seed) {
    TrainingLoop.Network single = TrainingLoop.Network.of(graph);
    ParallelWrapper wrapper = new ParallelWrapper.Builder<>(graph)
        .workers(workers)
        .averagingFrequency(1)
        .averageUpdaters(true)
        .prefetchBuffer(0)
        .reportScoreAfterAveraging(false)
        .workspaceMode(WorkspaceMode.ENABLED)
        .trainerFactory(new SeededTrainerContext(seed, workers))
        .build();
    return new TrainingLoop.Network() {
      @Override
      public void fit(MultiDataSet batch) {
        wrapper.fit(new ShardIterator(split(batch, workers)));
      }

      @Override
      public double score() {
        return graph.score(); // ParallelWrapper sets the mean of the replicas' scores
      }

      @Override
      public double regularizationScore() {
        return single.regularizationScore();
      }

      @Override
      public INDArray params() {
        return graph.params();
      }

      @Override
      public void setEpochCount(int epoch) {
        single.setEpochCount(epoch);
      }
    };
  }

  /** Splits every array of {@code batch} into {@code workers} equal row blocks. */
  static List<MultiDataSet> split(MultiDataSet batch, int workers) {
    List<MultiDataSet> out = new ArrayList<>(workers);
    for (int k = 0; k < workers; k++) {
      out.add(new org.nd4j.linalg.dataset.MultiDataSet(part(batch.getFeatures(), k, workers),
          part(batch.getLabels(), k, workers), part(batch.getFeaturesMaskArrays(), k, workers),
          part(batch.getLabelsMaskArrays(), k, workers)));
    }
    return out;
  }

  private static INDArray[] part(INDArray[] arrays, int k, int workers) {
    if (arrays == null) {
      return null;
    }
    INDArray[] out = new INDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      INDArray a = arrays[i];
      if (a == null) {
        continue;
      }
      long n = a.size(0);
      if (n % workers != 0) {
        throw new IllegalStateException("A prepared array of shape " + java.util.Arrays.toString(a.shape())
            + " has " + n + " rows, not divisible by " + workers + " workers; the task's prepare() must"
            + " return the same number of rows for every shard");
      }
      out[i] = rows(a, k * (n / workers), (k + 1) * (n / workers));
    }
    return out;
  }

  private static INDArray rows(INDArray a, long from, long to) {
    INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
    idx[0] = NDArrayIndex.interval(from, to);
    for (int d = 1; d < idx.length; d++) {
      idx[d] = NDArrayIndex.all();
    }
    return a.get(idx).dup();
  }

  /** The shards of one step, in order. */
  private static final class ShardIterator implements MultiDataSetIterator {
    private final List<MultiDataSet> shards;
    private Iterator<MultiDataSet> it;

    ShardIterator(List<MultiDataSet> shards) {
      this.shards = shards;
      this.it = shards.iterator();
    }

    @Override
    public MultiDataSet next(int num) {
      return next();
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
      throw new UnsupportedOperationException("no preprocessor on the shards of a step");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
      return null;
    }

    @Override
    public boolean resetSupported() {
      return true;
    }

    @Override
    public boolean asyncSupported() {
      return false;
    }

    @Override
    public void reset() {
      it = shards.iterator();
    }

    @Override
    public boolean hasNext() {
      return it.hasNext();
    }

    @Override
    public MultiDataSet next() {
      return it.next();
    }
  }

  /** Creates {@link SeededTrainer}s; one {@code ready} latch per set of workers ParallelWrapper starts. */
  private static final class SeededTrainerContext implements TrainerContext {
    private final long seed;
    private final int workers;
    private CountDownLatch ready;

    SeededTrainerContext(long seed, int workers) {
      this.seed = seed;
      this.workers = workers;
    }

    @Override
    public void init(Model model, Object... args) {}

    @Override
    public org.deeplearning4j.parallelism.trainer.Trainer create(String uuid, int threadId, Model model,
        int rootDevice, boolean useMDS, ParallelWrapper wrapper, WorkspaceMode mode, int averagingFrequency) {
      if (threadId == 0) {
        ready = new CountDownLatch(workers);
      }
      SeededTrainer t = new SeededTrainer(seed, ready, model, threadId, wrapper, mode, useMDS, uuid + "_thread_" + threadId,
          averagingFrequency);
      t.setName("ssl4j data-parallel worker " + threadId);
      t.setDaemon(true);
      return t;
    }

    @Override
    public void finalizeRound(Model originalModel, Model... models) {}

    @Override
    public void finalizeTraining(Model originalModel, Model... models) {}
  }

  /**
   * DL4J's worker thread, plus: ssl4j's layer helpers on its replica; no worker starts its step
   * before every replica has copied the graph's parameters (DL4J's worker 0 trains the graph itself
   * and would otherwise race the other workers' copies:
   * docs/development/dl4j-workarounds.md#parallelwrapper-replicas-race-the-first-step); ND4J's
   * generator reseeded per step and worker before every step.
   */
  private static final class SeededTrainer extends DefaultTrainer {
    private final long seed;
    private final CountDownLatch ready;

    SeededTrainer(long seed, CountDownLatch ready, Model model, int threadId, ParallelWrapper wrapper, WorkspaceMode mode,
        boolean useMDS, String uuid, int averagingFrequency) {
      this.seed = seed;
      this.ready = ready;
      this.originalModel = model;
      this.replicatedModel = model;
      this.threadId = threadId;
      this.parallelWrapper = wrapper;
      this.workspaceMode = mode;
      this.useMDS = useMDS;
      this.uuid = uuid;
      this.averagingFrequency = averagingFrequency;
      // DefaultTrainer's Lombok defaults are set by its builder only
      this.queue = new LinkedBlockingQueue<>(1);
      this.queueMDS = new LinkedBlockingQueue<>(1);
      this.running = new AtomicInteger(0);
      this.shouldUpdate = new AtomicBoolean(false);
      this.shouldStop = new AtomicBoolean(false);
      this.onRootModel = false;
      this.lastEtlTime = new AtomicLong(0);
      this.nullMode = new AtomicBoolean(false);
      this.isStopped = new AtomicBoolean(false);
    }

    @Override
    protected void postInit() {
      super.postInit();
      if (replicatedModel instanceof ComputationGraph g && g != originalModel) {
        LayerHelpers.install(g);
      }
      ready.countDown();
    }

    @Override
    protected void fit(MultiDataSet dataSet) {
      try {
        ready.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the other data-parallel workers", e);
      }
      long step = ((ComputationGraph) replicatedModel).getIterationCount();
      Nd4j.getRandom().setSeed(Seeds.forNd4j(Seeds.mix(Seeds.mix(seed, "dropout", step), "worker", threadId)));
      super.fit(dataSet);
    }
  }
}
