package io.github.ssl4j.core.train;

import io.github.ssl4j.core.data.Minibatches;
import io.github.ssl4j.core.data.Rows;
import io.github.ssl4j.core.dl4j.HeapTuning;
import io.github.ssl4j.core.dl4j.JavaAdamUpdater;
import io.github.ssl4j.core.dl4j.MallocTuning;
import io.github.ssl4j.core.dl4j.NativeGarbage;
import io.github.ssl4j.core.dl4j.OneDnnLayouts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one step loop of ssl4j: pretraining ({@link Trainer}), fine-tuning and the linear probe's
 * minibatch path all train through it. One run takes global steps [{@code startStep}, {@code
 * totalSteps}); each step is a few named parts:
 *
 * <ol>
 *   <li>{@code nextBatch}: the batch of the step, prepared ahead on a background thread by {@link
 *       Batches} (in step order);
 *   <li>{@code seedStep}: the network's epoch counter is set (epoch-based schedules) and the ND4J
 *       generator (dropout and other layer noise) is reseeded with {@code Seeds.mix(seed,
 *       "dropout", step)};
 *   <li>{@code fitStep}: one optimiser step; the loss is DL4J's score, optionally without the
 *       regularisation term;
 *   <li>{@code checkDivergence}: a non-finite, too large or exploding loss, a loss stuck at the
 *       task's chance level, (every {@code paramCheckEverySteps} steps) a non-finite or too
 *       large parameter, or (every {@link DivergenceLimits#embeddingCheckEverySteps()} steps, when
 *       the loop has {@link Builder#embeddings embeddings}) embeddings without spread throw {@link
 *       DivergenceException} (see {@link DivergenceLimits});
 *   <li>the {@link Listener}s, in the order given: history, logging, progress, checkpoints;
 *   <li>{@code releaseFreeMemory}: after each of the first {@value #RELEASE_FIRST_STEPS} steps
 *       of a run (while DL4J's workspaces learn their sizes and allocate outside them) and then
 *       every {@value #RELEASE_EVERY_STEPS} steps, the free memory glibc keeps is returned to the
 *       system ({@link MallocTuning#releaseFreeMemory()}); during those first steps glibc maps
 *       large blocks afresh, so the one-off ones go back when freed ({@link
 *       MallocTuning#mapLargeBlocks}). Nothing happens when ssl4j did not tune glibc.
 * </ol>
 *
 * <pre>{@code
 * Minibatches order = Minibatches.keepLast(n, 64, seed);
 * TrainingLoop.builder(TrainingLoop.Network.of(graph), TrainingLoop.Batches.of(x, y, order, null),
 *         order.stepsPerEpoch(), epochs * order.stepsPerEpoch())
 *     .seed(seed).build().run();
 * }</pre>
 *
 * <p>Randomness comes only from the seed: the same network, batches and seed give the same
 * parameters. A loop runs once; build a new one for every run.
 */
public final class TrainingLoop {
  private static final Logger log = LoggerFactory.getLogger(TrainingLoop.class);

  /** Steps at the start of a run after each of which free native memory is returned. */
  static final int RELEASE_FIRST_STEPS = 3;
  /** After the first steps, free native memory is returned once per this many steps. */
  static final int RELEASE_EVERY_STEPS = 256;

  /**
   * What the loop trains: a DL4J {@link ComputationGraph} or {@link MultiLayerNetwork}. Those of
   * {@link #of(ComputationGraph)} and {@link #of(MultiLayerNetwork)} compute DL4J's Adam in Java
   * ({@link JavaAdamUpdater#install}, before every step; bit-identical results).
   */
  public interface Network {
    /** One optimiser step on {@code batch}. */
    void fit(MultiDataSet batch);

    /** The loss of the last {@link #fit}, as DL4J reports it (with the regularisation term). */
    double score();

    /** The regularisation term DL4J adds to {@link #score()} for the current parameters. */
    double regularizationScore();

    /** All parameters as one view, shape [1, numParams]. */
    INDArray params();

    /** Sets the epoch counter DL4J hands to epoch-based schedules. */
    void setEpochCount(int epoch);

    /** The network {@code graph} as the loop sees it. */
    static Network of(ComputationGraph graph) {
      Objects.requireNonNull(graph, "graph");
      return new Network() {
        @Override
        public void fit(MultiDataSet batch) {
          // getUpdater() builds the updater fit() then uses, if the graph has none yet
          JavaAdamUpdater.install(graph.getUpdater());
          graph.fit(batch);
        }

        @Override
        public double score() {
          return graph.score();
        }

        @Override
        public double regularizationScore() {
          return graph.calcRegularizationScore(true);
        }

        @Override
        public INDArray params() {
          return graph.params();
        }

        @Override
        public void setEpochCount(int epoch) {
          graph.getConfiguration().setEpochCount(epoch);
        }
      };
    }

    /** The network {@code net} as the loop sees it (single input and output). */
    static Network of(MultiLayerNetwork net) {
      Objects.requireNonNull(net, "net");
      return new Network() {
        @Override
        public void fit(MultiDataSet batch) {
          JavaAdamUpdater.install(net.getUpdater());
          net.fit(batch);
        }

        @Override
        public double score() {
          return net.score();
        }

        @Override
        public double regularizationScore() {
          return net.calcRegularizationScore(true);
        }

        @Override
        public INDArray params() {
          return net.params();
        }

        @Override
        public void setEpochCount(int epoch) {
          net.setEpochCount(epoch);
        }
      };
    }
  }

  /** The batch of each global step; called on the prefetch thread, in increasing step order. */
  @FunctionalInterface
  public interface Batches {
    /**
     * The batch of global step {@code step} (0-based): one feature and one label array per network
     * input and output.
     */
    MultiDataSet forStep(long step);

    /**
     * Shuffled minibatches of in-memory examples.
     *
     * @param features shape [n, ...], one example per row
     * @param labels shape [n, outputs]
     * @param order which examples make up each step's batch
     * @param featuresMask the features mask of a batch of features (e.g. the padding mask of token
     *     ids), or null for none
     */
    static Batches of(INDArray features, INDArray labels, Minibatches order,
        UnaryOperator<INDArray> featuresMask) {
      Objects.requireNonNull(features, "features");
      Objects.requireNonNull(labels, "labels");
      Objects.requireNonNull(order, "order");
      if (features.size(0) != order.size() || labels.size(0) != order.size()) {
        throw new IllegalArgumentException(
            "features ([" + features.size(0) + ", ...]) and labels ([" + labels.size(0)
                + ", ...]) must have one row per example of the order (" + order.size() + ")");
      }
      INDArray flat = Rows.flat(features);
      long[] shape = features.shape();
      return step -> {
        int[] idx = order.indices(step);
        INDArray x = Rows.pull(flat, shape, idx);
        INDArray mask = featuresMask == null ? null : featuresMask.apply(x);
        return new org.nd4j.linalg.dataset.MultiDataSet(x, Nd4j.pullRows(labels, 1, idx), mask, null);
      };
    }
  }

  /**
   * Called by the loop after each step (DJL's {@code TrainingListener}). Listeners run on the
   * training thread; they must be cheap, or do their work every n steps.
   */
  public interface Listener {
    /** After every step, once the loss has been checked. */
    default void onStep(State state) {}

    /** After the last step of an epoch, and after the last step of the run if it ends mid-epoch. */
    default void onEpochEnd(State state) {}

    /** After the last step of the run (not called when the run fails). */
    default void onEnd(State state) {}
  }

  /**
   * The state of a running loop, handed to listeners. One instance per run, updated in place
   * after every step; do not keep it beyond the call.
   */
  public static final class State {
    private final TrainingLoop loop;
    private long step;
    private int epoch;
    private double loss = Double.NaN;
    private double learningRate = Double.NaN;
    private long waitNanos;
    private long epochStartNanos;
    private long epochWaitNanos;
    private double epochLossSum;
    private int epochSteps;
    private double lossEma = Double.NaN;
    private long lossesInEma;
    private int chanceSteps;
    private boolean stoppedByTimeLimit;
    private MultiDataSet batch;
    private double embeddingSpread = Double.NaN;
    private int collapsedChecks;
    private long embeddingsCheckedAt = -1;
    private final long startNanos = System.nanoTime();

    private State(TrainingLoop loop) {
      this.loop = loop;
      this.step = loop.startStep;
      this.epochStartNanos = startNanos;
    }

    /** Steps completed so far in the whole run (1 after the first step), i.e. the global step. */
    public long step() {
      return step;
    }

    /** Epoch (0-based) of the last step. */
    public int epoch() {
      return epoch;
    }

    /** Loss of the last step. */
    public double loss() {
      return loss;
    }

    /** Learning rate of the last step, NaN when the updater has none. */
    public double learningRate() {
      return learningRate;
    }

    /** The step the run started from (0, or the step of the resumed checkpoint). */
    public long startStep() {
      return loop.startStep;
    }

    /** The step the run ends at. */
    public long totalSteps() {
      return loop.totalSteps;
    }

    /** Optimiser steps per epoch. */
    public long stepsPerEpoch() {
      return loop.stepsPerEpoch;
    }

    /** Whether the last step completed an epoch. */
    public boolean atEpochEnd() {
      return step % loop.stepsPerEpoch == 0;
    }

    /** Wall-clock seconds since the start of the run, plus those before a resume. */
    public double seconds() {
      return loop.secondsBefore + (System.nanoTime() - startNanos) / 1e9;
    }

    /** Wall-clock seconds since the start of this run (without those before a resume). */
    public double runSeconds() {
      return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Nanoseconds the training thread has waited for batches in this run. */
    public long dataWaitNanos() {
      return waitNanos;
    }

    /** Mean loss of the steps of the current epoch taken in this run. */
    public double epochMeanLoss() {
      return epochLossSum / Math.max(1, epochSteps);
    }

    /**
     * Whether the run ended before {@link #totalSteps()} because its time limit ({@link
     * Builder#timeLimit}) ran out; its step is then the last completed one.
     */
    public boolean stoppedByTimeLimit() {
      return stoppedByTimeLimit;
    }

    /** Steps of the current epoch taken in this run. */
    public int epochSteps() {
      return epochSteps;
    }

    /** Nanoseconds since the current epoch's first step of this run. */
    public long epochNanos() {
      return System.nanoTime() - epochStartNanos;
    }

    /** Nanoseconds waited for batches in the current epoch. */
    public long epochDataWaitNanos() {
      return epochWaitNanos;
    }

    /**
     * Consecutive steps, up to the last one, whose loss was within the tolerance of the task's
     * chance-level loss (0 when the task has none or the last loss was not at chance).
     */
    public int lossAtChanceSteps() {
      return chanceSteps;
    }

    /**
     * Consecutive embedding-spread checks, up to the last one, that found the spread at or below
     * {@link DivergenceLimits#minEmbeddingSpread()} (0 when the loop has no embeddings, the check
     * is off, or the last check found spread).
     */
    public int collapsedEmbeddingChecks() {
      return collapsedChecks;
    }

    /**
     * The spread the last embedding check measured: the largest per-dimension standard deviation
     * of the unit-length embeddings, NaN before the first check or without embeddings.
     */
    public double embeddingSpread() {
      return embeddingSpread;
    }

    /**
     * Measures the spread of the embeddings of the last step's batch now (a no-op when the loop has
     * no embeddings, the check is off, or they were measured at this step already) and updates
     * {@link #collapsedEmbeddingChecks()}.
     *
     * @throws DivergenceException with reason {@link DivergenceException.Reason#EMBEDDING_COLLAPSE}
     *     when that makes {@link DivergenceLimits#embeddingCollapseChecks()} consecutive collapsed
     *     checks
     */
    public void checkEmbeddings() {
      if (loop.embeddings == null || loop.limits.embeddingCheckEverySteps() == 0 || batch == null
          || embeddingsCheckedAt == step) {
        return;
      }
      embeddingsCheckedAt = step;
      double spread = EmbeddingSpread.of(loop.embeddings.apply(batch));
      if (Double.isNaN(spread)) {
        return; // fewer than two rows: nothing to compare
      }
      embeddingSpread = spread;
      collapsedChecks = spread <= loop.limits.minEmbeddingSpread() ? collapsedChecks + 1 : 0;
      if (collapsedChecks >= loop.limits.embeddingCollapseChecks()) {
        throw loop.diverged(this, DivergenceException.Reason.EMBEDDING_COLLAPSE,
            "the embeddings collapsed: at " + collapsedChecks + " consecutive checks the embeddings "
                + loop.embeddingsName + " of the batch, scaled to unit length, had a per-dimension"
                + " standard deviation of at most " + fmt(spread) + " (bound " + fmt(loop.limits.minEmbeddingSpread())
                + ", DivergenceLimits.minEmbeddingSpread), i.e. every example is mapped to the same"
                + " direction", spread);
      }
    }

    /**
     * Checks that every parameter is finite and within {@link DivergenceLimits#maxAbsParameter()}.
     *
     * @throws DivergenceException if the sum of the parameters is NaN or infinite, or a parameter's
     *     magnitude exceeds the bound
     */
    public void checkParameters() {
      INDArray params = loop.network.params();
      double sum = params.sumNumber().doubleValue();
      if (!Double.isFinite(sum)) {
        throw loop.diverged(this, DivergenceException.Reason.NON_FINITE_PARAMETERS,
            "the sum of the parameters is " + sum, sum);
      }
      double max = loop.limits.maxAbsParameter();
      if (!Double.isInfinite(max)) {
        double amax = params.amaxNumber().doubleValue();
        if (!(amax <= max)) {
          throw loop.diverged(this, DivergenceException.Reason.PARAMETERS_TOO_LARGE,
              "a parameter has magnitude " + fmt(amax) + ", above the bound " + fmt(max)
                  + " (DivergenceLimits.maxAbsParameter)", amax);
        }
      }
    }

    private void startEpoch() {
      epochStartNanos = System.nanoTime();
      epochWaitNanos = 0;
      epochLossSum = 0;
      epochSteps = 0;
    }
  }

  private final Network network;
  private final Batches batches;
  private final long stepsPerEpoch;
  private final long totalSteps;
  private final long startStep;
  private final long seed;
  private final double secondsBefore;
  private final int prefetchDepth;
  private final DataType dataType;
  private final IUpdater updater;
  private final boolean excludeRegularization;
  private final int paramCheckEverySteps;
  private final Supplier<Path> lastGoodCheckpoint;
  private final String divergenceHint;
  private final java.util.function.Consumer<MultiDataSet> firstBatchCheck;
  private final DivergenceLimits limits;
  private final double chanceLoss;
  private final String chanceLossName;
  private final java.util.function.Function<MultiDataSet, INDArray> embeddings;
  private final String embeddingsName;
  private final Listener[] listeners;
  private final long timeLimitNanos;

  private TrainingLoop(Builder b) {
    this.network = b.network;
    this.batches = b.batches;
    this.stepsPerEpoch = b.stepsPerEpoch;
    this.totalSteps = b.totalSteps;
    this.startStep = b.startStep;
    this.seed = b.seed;
    this.secondsBefore = b.secondsBefore;
    this.prefetchDepth = b.prefetchDepth;
    this.dataType = b.dataType;
    this.updater = b.updater;
    this.excludeRegularization = b.excludeRegularization;
    this.paramCheckEverySteps = b.paramCheckEverySteps;
    this.lastGoodCheckpoint = b.lastGoodCheckpoint;
    this.divergenceHint = b.divergenceHint;
    this.firstBatchCheck = b.firstBatchCheck;
    this.limits = b.limits;
    this.chanceLoss = b.chanceLoss;
    this.chanceLossName = b.chanceLossName;
    this.embeddings = b.embeddings;
    this.embeddingsName = b.embeddingsName;
    this.listeners = b.listeners.toArray(new Listener[0]);
    this.timeLimitNanos = b.timeLimitNanos;
  }

  /**
   * A loop over global steps [0, {@code totalSteps}).
   *
   * @param network what to train
   * @param batches the batch of each step
   * @param stepsPerEpoch optimiser steps per epoch, &gt;= 1
   * @param totalSteps the step to stop at, &gt;= 0
   */
  public static Builder builder(Network network, Batches batches, long stepsPerEpoch, long totalSteps) {
    return new Builder(network, batches, stepsPerEpoch, totalSteps);
  }

  /**
   * Runs the steps; the prefetch thread is stopped on every exit path.
   *
   * @return the final state (its step is {@code totalSteps}, or less when the time limit ran out)
   * @throws DivergenceException if the loss or the parameters become NaN or infinite or break
   *     one of the {@link DivergenceLimits}
   * @throws IllegalStateException if preparing a batch failed (the cause is the original exception)
   */
  public State run() {
    State state = new State(this);
    if (startStep >= totalSteps) {
      return state;
    }
    MallocTuning.mapLargeBlocks(true); // the first steps' one-off blocks go back to the system when freed
    NativeGarbage garbage = new NativeGarbage();
    HeapTuning.apply().restore(); // the heap shrinks to what is live once, then grows as G1 sees fit
    try (Prefetcher prefetch =
        new Prefetcher(batches, stepsPerEpoch, startStep, totalSteps, prefetchDepth, dataType)) {
      for (long step = startStep; step < totalSteps; step++) {
        MultiDataSet batch = nextBatch(prefetch, state);
        if (step == startStep && firstBatchCheck != null) {
          firstBatchCheck.accept(batch);
        }
        int epoch = seedStep(step);
        double loss = fitStep(batch);
        record(state, step + 1, epoch, loss);
        state.batch = batch;
        garbage.handedOver(batch);
        checkDivergence(state);
        for (Listener l : listeners) {
          l.onStep(state);
        }
        long stepsRun = step + 1 - startStep;
        if (stepsRun == RELEASE_FIRST_STEPS) {
          MallocTuning.mapLargeBlocks(false);
        }
        if (releasesFreeMemoryAfter(stepsRun)) {
          MallocTuning.releaseFreeMemory();
        }
        boolean outOfTime = timeLimitNanos > 0 && state.step < totalSteps
            && System.nanoTime() - state.startNanos >= timeLimitNanos;
        if (state.atEpochEnd() || state.step == totalSteps || outOfTime) {
          for (Listener l : listeners) {
            l.onEpochEnd(state);
          }
          state.startEpoch();
        }
        if (outOfTime) {
          state.stoppedByTimeLimit = true;
          break;
        }
      }
    } finally {
      MallocTuning.mapLargeBlocks(false);
    }
    for (Listener l : listeners) {
      l.onEnd(state);
    }
    return state;
  }

  /**
   * @param stepsRun steps this run has taken so far (1 after its first step)
   * @return whether the loop returns free native memory now
   */
  static boolean releasesFreeMemoryAfter(long stepsRun) {
    return stepsRun <= RELEASE_FIRST_STEPS || stepsRun % RELEASE_EVERY_STEPS == 0;
  }

  private MultiDataSet nextBatch(Prefetcher prefetch, State state) {
    long t0 = System.nanoTime();
    Prefetcher.Batch batch = prefetch.take();
    long waited = System.nanoTime() - t0;
    state.waitNanos += waited;
    state.epochWaitNanos += waited;
    return batch.data();
  }

  /** Sets the epoch counter and reseeds ND4J's generator for {@code step}; returns the epoch. */
  private int seedStep(long step) {
    int epoch = Math.toIntExact(step / stepsPerEpoch);
    network.setEpochCount(epoch);
    Nd4j.getRandom().setSeed(Seeds.forNd4j(Seeds.mix(seed, "dropout", step)));
    return epoch;
  }

  private double fitStep(MultiDataSet batch) {
    // DL4J adds the regularisation term (e.g. 0.5 * coeff * |w|^2 of weight decay) to the score;
    // with excludeRegularization the loss is recorded without it
    double regularization = excludeRegularization ? network.regularizationScore() : 0;
    OneDnnLayouts.during(() -> network.fit(batch));
    return network.score() - regularization;
  }

  private void record(State state, long done, int epoch, double loss) {
    state.step = done;
    state.epoch = epoch;
    state.loss = loss;
    state.learningRate = updater != null && updater.hasLearningRate()
        ? updater.getLearningRate(Math.toIntExact(done - 1), epoch) : Double.NaN;
    state.epochLossSum += loss;
    state.epochSteps++;
  }

  private void checkDivergence(State state) {
    double loss = state.loss;
    if (!Double.isFinite(loss)) {
      throw diverged(state, DivergenceException.Reason.NON_FINITE_LOSS, "the loss is " + loss, loss);
    }
    if (Math.abs(loss) > limits.maxAbsLoss()) {
      throw diverged(state, DivergenceException.Reason.LOSS_TOO_LARGE,
          "the loss is " + fmt(loss) + ", above the bound " + fmt(limits.maxAbsLoss())
              + " (DivergenceLimits.maxAbsLoss)", loss);
    }
    if (limits.lossExplosionFactor() > 0 && state.lossesInEma >= limits.lossWarmupSteps()) {
      double level = Math.max(Math.abs(state.lossEma), 1.0);
      if (loss > limits.lossExplosionFactor() * level) {
        throw diverged(state, DivergenceException.Reason.LOSS_EXPLOSION,
            "the loss jumped to " + fmt(loss) + ", more than " + fmt(limits.lossExplosionFactor())
                + " times its running level " + fmt(state.lossEma)
                + " (DivergenceLimits.lossExplosionFactor)", loss);
      }
    }
    state.lossEma = state.lossesInEma == 0 ? loss
        : (1 - DivergenceLimits.EMA_SMOOTHING) * state.lossEma + DivergenceLimits.EMA_SMOOTHING * loss;
    state.lossesInEma++;
    if (!Double.isNaN(chanceLoss) && limits.chanceLossSteps() > 0) {
      state.chanceSteps = Math.abs(loss - chanceLoss) <= limits.chanceLossTolerance()
          ? state.chanceSteps + 1 : 0;
      if (state.chanceSteps >= limits.chanceLossSteps()) {
        throw diverged(state, DivergenceException.Reason.COLLAPSE,
            "the representation collapsed: the loss has stayed at the chance level " + chanceLossName
                + " = " + fmt(chanceLoss) + " (within " + fmt(limits.chanceLossTolerance())
                + ") for " + state.chanceSteps + " steps, i.e. the model tells no example from"
                + " another (DivergenceLimits.chanceLossSteps)", loss);
      }
    }
    if (paramCheckEverySteps > 0 && state.step % paramCheckEverySteps == 0) {
      state.checkParameters();
    }
    int every = limits.embeddingCheckEverySteps();
    if (every > 0 && state.step % every == 0) {
      state.checkEmbeddings();
    }
  }

  private DivergenceException diverged(State state, DivergenceException.Reason reason, String what,
      double value) {
    Path lastGood = lastGoodCheckpoint == null ? null : lastGoodCheckpoint.get();
    // no rate to name when the loop has no updater or the updater has none (e.g. AdaDelta)
    String rate = Double.isNaN(state.learningRate) ? "" : " (learning rate " + fmt(state.learningRate) + ")";
    String msg = "Training diverged at step " + state.step + " (epoch " + state.epoch + "): " + what
        + rate + ". Try a lower learning rate, " + divergenceHint
        + ", or check the input scaling (inputs roughly zero-mean, unit variance; no NaN in the data)."
        + (lastGoodCheckpoint == null ? ""
            : lastGood != null
                ? " The last good checkpoint is " + lastGood + " (left unchanged; the diverged"
                    + " model was not written)."
                : " No checkpoint was written before the divergence.");
    log.error(msg);
    return new DivergenceException(state.step, value, msg, reason, lastGood);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /** Builder of a {@link TrainingLoop}; every setting but the four of {@code builder} is optional. */
  public static final class Builder {
    private final Network network;
    private final Batches batches;
    private final long stepsPerEpoch;
    private final long totalSteps;
    private long startStep;
    private long seed = Seeds.DEFAULT;
    private double secondsBefore;
    private int prefetchDepth = 2;
    private DataType dataType;
    private IUpdater updater;
    private boolean excludeRegularization;
    private int paramCheckEverySteps;
    private Supplier<Path> lastGoodCheckpoint;
    private String divergenceHint = "gradient clipping";
    private java.util.function.Consumer<MultiDataSet> firstBatchCheck;
    private DivergenceLimits limits = DivergenceLimits.defaults();
    private double chanceLoss = Double.NaN;
    private String chanceLossName = "";
    private java.util.function.Function<MultiDataSet, INDArray> embeddings;
    private String embeddingsName = "";
    private final List<Listener> listeners = new ArrayList<>();
    private long timeLimitNanos;

    private Builder(Network network, Batches batches, long stepsPerEpoch, long totalSteps) {
      this.network = Objects.requireNonNull(network, "network");
      this.batches = Objects.requireNonNull(batches, "batches");
      if (stepsPerEpoch < 1) {
        throw new IllegalArgumentException("stepsPerEpoch must be >= 1, got " + stepsPerEpoch);
      }
      if (totalSteps < 0) {
        throw new IllegalArgumentException("totalSteps must be >= 0, got " + totalSteps);
      }
      this.stepsPerEpoch = stepsPerEpoch;
      this.totalSteps = totalSteps;
    }

    /** The step to start from (a resumed run's global step), &gt;= 0; default 0. */
    public Builder startStep(long startStep, double secondsBefore) {
      if (startStep < 0) {
        throw new IllegalArgumentException("startStep must be >= 0, got " + startStep);
      }
      this.startStep = startStep;
      this.secondsBefore = secondsBefore;
      return this;
    }

    /** The seed of the per-step ND4J reseeding; default {@link Seeds#DEFAULT}. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Batches prepared ahead, &gt;= 1; default 2. */
    public Builder prefetchDepth(int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("prefetchDepth must be >= 1, got " + depth);
      }
      this.prefetchDepth = depth;
      return this;
    }

    /** Floating-point batch arrays are cast to this type on the prefetch thread; default none. */
    public Builder dataType(DataType dataType) {
      this.dataType = dataType;
      return this;
    }

    /** The updater whose learning rate the loop reports (not applied by the loop); default none. */
    public Builder updater(IUpdater updater) {
      this.updater = updater;
      return this;
    }

    /** Record the loss without DL4J's regularisation term (e.g. decoupled weight decay); default false. */
    public Builder excludeRegularization(boolean exclude) {
      this.excludeRegularization = exclude;
      return this;
    }

    /** Check the parameters for NaN/Inf every n steps, &gt;= 0 (0: never); default 0. */
    public Builder paramCheckEverySteps(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("paramCheckEverySteps must be >= 0, got " + n);
      }
      this.paramCheckEverySteps = n;
      return this;
    }

    /**
     * What a divergence message suggests besides a lower learning rate, e.g. how to switch on
     * gradient clipping; and where the last good checkpoint is (null: no checkpoints in this run).
     */
    public Builder divergenceAdvice(String hint, Supplier<Path> lastGoodCheckpoint) {
      this.divergenceHint = Objects.requireNonNull(hint, "hint");
      this.lastGoodCheckpoint = lastGoodCheckpoint;
      return this;
    }

    /** What counts as divergence besides NaN/Inf; default {@link DivergenceLimits#defaults()}. */
    public Builder divergenceLimits(DivergenceLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * The task's chance-level loss (the loss of a model that tells no example from another), for
     * the collapse check of {@link DivergenceLimits#chanceLossSteps()}; default none.
     *
     * @param loss finite chance-level loss
     * @param name how the message names it, e.g. {@code "ln(2N-1) for N = 4"}
     */
    public Builder chanceLoss(double loss, String name) {
      if (!Double.isFinite(loss)) {
        throw new IllegalArgumentException("chance-level loss must be finite, got " + loss);
      }
      this.chanceLoss = loss;
      this.chanceLossName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The embeddings of a batch, for the collapse check of {@link
     * DivergenceLimits#embeddingCheckEverySteps()}; default none (no check).
     *
     * @param embeddings computes the embeddings of (at most {@link
     *     DivergenceLimits#EMBEDDING_CHECK_ROWS} rows of) a batch in inference mode, shape [rows, ...]
     *     (each row flattened); must not change the network's parameters or state
     * @param name how the message names them, e.g. {@code "of vertex 'head/out'"}
     */
    public Builder embeddings(java.util.function.Function<MultiDataSet, INDArray> embeddings, String name) {
      this.embeddings = Objects.requireNonNull(embeddings, "embeddings");
      this.embeddingsName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Validates the first batch of the run before it is fitted (e.g. its shapes); default none. */
    public Builder firstBatchCheck(java.util.function.Consumer<MultiDataSet> check) {
      this.firstBatchCheck = check;
      return this;
    }

    /** Adds a listener; listeners run in the order added. */
    public Builder listener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Ends the run after the first step that finishes this long after the run started (this call,
     * without time before a resume); the listeners then see {@code onEpochEnd} and {@code onEnd} at
     * that step. Default: no limit.
     *
     * @param limit a positive duration, or null for no limit
     * @throws IllegalArgumentException if {@code limit} is zero or negative
     */
    public Builder timeLimit(java.time.Duration limit) {
      if (limit != null && (limit.isZero() || limit.isNegative())) {
        throw new IllegalArgumentException("time limit must be positive, got " + limit
            + "; pass null for no limit");
      }
      this.timeLimitNanos = limit == null ? 0 : limit.toNanos();
      return this;
    }

    /**
     * Builds the loop.
     *
     * @throws IllegalArgumentException if the updater's learning rate, sampled over the run ({@link
     *     LearningRates#check}), is NaN, negative or infinite
     */
    public TrainingLoop build() {
      if (updater != null && totalSteps > startStep) {
        LearningRates.check(updater, totalSteps, stepsPerEpoch);
      }
      return new TrainingLoop(this);
    }
  }
}
