package io.github.ssl4j.core.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Immutable settings of a {@link Trainer} run. Only the batch size is required; everything else has
 * a documented default.
 *
 * <pre>{@code
 * TrainingConfig cfg = TrainingConfig.builder(256)
 *     .epochs(10)
 *     .updater(new Adam(1e-3))
 *     .learningRateSchedule(new WarmupCosineSchedule(1e-3, 1e-5, 200, 10 * stepsPerEpoch))
 *     .weightDecay(0.05)
 *     .gradientClipping(GradientNormalization.ClipL2PerLayer, 1.0)
 *     .checkpointDir(Path.of("runs/simclr"))
 *     .checkpointEverySteps(500)
 *     .build();
 * }</pre>
 *
 * <p>The length of a run is {@code min(epochs * stepsPerEpoch, maxSteps)} over whichever of the two
 * is set; with neither set the run is one epoch. An epoch has {@code floor(size / batchSize)} steps:
 * the last incomplete batch of each epoch is dropped, so every step sees exactly {@code batchSize}
 * examples (contrastive negatives and batch statistics stay comparable, and a global step maps to
 * one (epoch, batch) pair).
 */
public final class TrainingConfig {
  private final int batchSize;
  private final int epochs;
  private final long maxSteps;
  private final long seed;
  private final IUpdater updater;
  private final ISchedule learningRateSchedule;
  private final double weightDecay;
  private final GradientNormalization gradientNormalization;
  private final double gradientNormalizationThreshold;
  private final DataType dataType;
  private final Path checkpointDir;
  private final boolean overwrite;
  private final int checkpointEverySteps;
  private final boolean checkpointAtEpochEnd;
  private final int keepLastCheckpoints;
  private final int prefetchDepth;
  private final int logEverySteps;
  private final boolean progressBar;
  private final int paramCheckEverySteps;
  private final DivergenceLimits divergenceLimits;
  private final List<TrainingListener> listeners;
  private final java.time.Duration maxTime;
  private final int workers;

  private TrainingConfig(Builder b) {
    this.batchSize = b.batchSize;
    this.epochs = b.epochs;
    this.maxSteps = b.maxSteps;
    this.seed = b.seed;
    this.updater = b.updater.clone();
    this.learningRateSchedule = b.learningRateSchedule;
    this.weightDecay = b.weightDecay;
    this.gradientNormalization = b.gradientNormalization;
    this.gradientNormalizationThreshold = b.gradientNormalizationThreshold;
    this.dataType = b.dataType;
    this.checkpointDir = b.checkpointDir;
    this.overwrite = b.overwrite;
    this.checkpointEverySteps = b.checkpointEverySteps;
    this.checkpointAtEpochEnd = b.checkpointAtEpochEnd;
    this.keepLastCheckpoints = b.keepLastCheckpoints;
    this.prefetchDepth = b.prefetchDepth;
    this.logEverySteps = b.logEverySteps;
    this.progressBar = b.progressBar != null ? b.progressBar : System.console() != null;
    this.paramCheckEverySteps = b.paramCheckEverySteps;
    this.divergenceLimits = b.divergenceLimits;
    this.listeners = List.copyOf(b.listeners);
    this.maxTime = b.maxTime;
    this.workers = b.workers;
  }

  /**
   * Starts a config.
   *
   * @param batchSize examples per optimiser step; &gt; 0 (checked in {@link Builder#build()})
   */
  public static Builder builder(int batchSize) {
    return new Builder(batchSize);
  }

  /** A builder holding this config's values, to derive a changed copy (e.g. more epochs). */
  public Builder toBuilder() {
    Builder b = new Builder(batchSize);
    b.epochs = epochs;
    b.maxSteps = maxSteps;
    b.seed = seed;
    b.updater = updater.clone();
    b.learningRateSchedule = learningRateSchedule;
    b.weightDecay = weightDecay;
    b.gradientNormalization = gradientNormalization;
    b.gradientNormalizationThreshold = gradientNormalizationThreshold;
    b.dataType = dataType;
    b.checkpointDir = checkpointDir;
    b.overwrite = overwrite;
    b.checkpointEverySteps = checkpointEverySteps;
    b.checkpointAtEpochEnd = checkpointAtEpochEnd;
    b.keepLastCheckpoints = keepLastCheckpoints;
    b.prefetchDepth = prefetchDepth;
    b.logEverySteps = logEverySteps;
    b.progressBar = progressBar;
    b.paramCheckEverySteps = paramCheckEverySteps;
    b.divergenceLimits = divergenceLimits;
    b.listeners = new ArrayList<>(listeners);
    b.maxTime = maxTime;
    b.workers = workers;
    return b;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Number of epochs, or 0 if not set (then {@link #maxSteps()} bounds the run). */
  public int epochs() {
    return epochs;
  }

  /** Maximum number of optimiser steps, or 0 if not set. */
  public long maxSteps() {
    return maxSteps;
  }

  public long seed() {
    return seed;
  }

  /** The updater as given (a copy); see {@link #effectiveUpdater()} for the one the graph uses. */
  public IUpdater updater() {
    return updater.clone();
  }

  public Optional<ISchedule> learningRateSchedule() {
    return Optional.ofNullable(learningRateSchedule);
  }

  /** The updater with the learning-rate schedule applied, if one is set (a fresh copy). */
  public IUpdater effectiveUpdater() {
    IUpdater u = updater.clone();
    if (learningRateSchedule != null) {
      u.setLrAndSchedule(u.getLearningRate(0, 0), learningRateSchedule);
    }
    return u;
  }

  /** Decoupled weight decay coefficient (DL4J {@code weightDecay(coeff, true)}); 0 = off. */
  public double weightDecay() {
    return weightDecay;
  }

  public GradientNormalization gradientNormalization() {
    return gradientNormalization;
  }

  public double gradientNormalizationThreshold() {
    return gradientNormalizationThreshold;
  }

  public DataType dataType() {
    return dataType;
  }

  public Optional<Path> checkpointDir() {
    return Optional.ofNullable(checkpointDir);
  }

  /**
   * Whether {@link Trainer#fit} may delete the files of an earlier run in {@link #checkpointDir()}
   * ({@link Builder#overwrite}).
   */
  public boolean overwrite() {
    return overwrite;
  }

  /** Write a checkpoint every this many steps; 0 = only at epoch end / the end of the run. */
  public int checkpointEverySteps() {
    return checkpointEverySteps;
  }

  public boolean checkpointAtEpochEnd() {
    return checkpointAtEpochEnd;
  }

  public int keepLastCheckpoints() {
    return keepLastCheckpoints;
  }

  public int prefetchDepth() {
    return prefetchDepth;
  }

  /** Log the loss every this many steps; 0 = only per epoch. */
  public int logEverySteps() {
    return logEverySteps;
  }

  public boolean progressBar() {
    return progressBar;
  }

  /** Check parameters for NaN/Inf every this many steps (and before every checkpoint). */
  public int paramCheckEverySteps() {
    return paramCheckEverySteps;
  }

  /** What stops a run besides NaN/Inf (not part of the config fingerprint). */
  public DivergenceLimits divergenceLimits() {
    return divergenceLimits;
  }

  /**
   * Checks the learning rate of every step of a run of {@code totalSteps} steps at a few samples
   * (steps 0, 1, totalSteps / 2 and totalSteps - 1 with their epochs, and epochs 0 and 1 at step
   * 0): each must be finite and &gt;= 0 ({@link LearningRates#check}). Catches a DL4J
   * {@link ISchedule} that yields NaN, a negative or an infinite rate.
   *
   * @param totalSteps steps of the run, &gt;= 1
   * @param stepsPerEpoch steps per epoch, &gt;= 1
   * @throws IllegalArgumentException naming the schedule, the step, the epoch and the rate
   */
  public void checkLearningRates(long totalSteps, long stepsPerEpoch) {
    LearningRates.check(effectiveUpdater(), totalSteps, stepsPerEpoch);
  }

  /** The wall-clock budget of one fit or resume call ({@link Builder#maxTime}); empty for none. */
  public Optional<java.time.Duration> maxTime() {
    return Optional.ofNullable(maxTime);
  }

  /** Extra DL4J listeners attached to the graph (not part of the config fingerprint). */
  public List<TrainingListener> listeners() {
    return listeners;
  }

  /**
   * Data-parallel workers in this JVM (1 = the plain single-graph loop); see {@link
   * Builder#workers(int)}.
   */
  public int workers() {
    return workers;
  }

  /**
   * Number of steps of the whole run for an epoch of {@code stepsPerEpoch} steps.
   *
   * @param stepsPerEpoch &gt; 0
   */
  public long totalSteps(long stepsPerEpoch) {
    long byEpochs = epochs > 0 ? epochs * stepsPerEpoch : (maxSteps > 0 ? Long.MAX_VALUE : stepsPerEpoch);
    return maxSteps > 0 ? Math.min(byEpochs, maxSteps) : byEpochs;
  }

  @Override
  public String toString() {
    return "TrainingConfig{batchSize=" + batchSize + ", epochs=" + epochs + ", maxSteps=" + maxSteps
        + ", seed=" + seed + ", updater=" + updater + ", schedule=" + learningRateSchedule
        + ", weightDecay=" + weightDecay + ", gradientNormalization=" + gradientNormalization
        + "(" + gradientNormalizationThreshold + "), dataType=" + dataType
        + ", checkpointDir=" + checkpointDir + ", overwrite=" + overwrite
        + ", checkpointEverySteps=" + checkpointEverySteps
        + ", checkpointAtEpochEnd=" + checkpointAtEpochEnd + ", keepLast=" + keepLastCheckpoints
        + ", prefetchDepth=" + prefetchDepth + (maxTime == null ? "" : ", maxTime=" + maxTime) + "}";
  }

  /** Builder for {@link TrainingConfig}; {@link #build()} validates every value. */
  public static final class Builder {
    private final int batchSize;
    private int epochs;
    private long maxSteps;
    private long seed = Seeds.DEFAULT;
    private IUpdater updater = new Adam(1e-3);
    private ISchedule learningRateSchedule;
    private double weightDecay;
    private GradientNormalization gradientNormalization = GradientNormalization.None;
    private double gradientNormalizationThreshold = 1.0;
    private DataType dataType = DataType.FLOAT;
    private Path checkpointDir;
    private boolean overwrite;
    private int checkpointEverySteps;
    private boolean checkpointAtEpochEnd = true;
    private int keepLastCheckpoints = 3;
    private int prefetchDepth = 2;
    private int logEverySteps = 100;
    private Boolean progressBar;
    private int paramCheckEverySteps = 50;
    private DivergenceLimits divergenceLimits = DivergenceLimits.defaults();
    private List<TrainingListener> listeners = new ArrayList<>();
    private java.time.Duration maxTime;
    private int workers = 1;

    private Builder(int batchSize) {
      this.batchSize = batchSize;
    }

    /** Number of passes over the data; &gt; 0. Default: 1 if neither epochs nor maxSteps is set. */
    public Builder epochs(int epochs) {
      if (epochs <= 0) {
        throw new IllegalArgumentException(
            "epochs must be > 0, got " + epochs + "; bound the run by maxSteps(n) instead if needed");
      }
      this.epochs = epochs;
      return this;
    }

    /** Upper bound on optimiser steps; &gt; 0. Combined with epochs, the smaller bound wins. */
    public Builder maxSteps(long maxSteps) {
      if (maxSteps <= 0) {
        throw new IllegalArgumentException(
            "maxSteps must be > 0, got " + maxSteps + "; bound the run by epochs(n) instead if needed");
      }
      this.maxSteps = maxSteps;
      return this;
    }

    /**
     * A wall-clock budget for one {@code fit} or {@code resume} call: training stops after the first
     * step that ends past it, writes a checkpoint there (with a checkpoint directory), and {@link
     * Trainer#resume} continues the run later towards its epochs/maxSteps. The learning-rate schedule
     * still runs over epochs/maxSteps, so a stopped run has not finished its schedule. Default: none.
     *
     * @param budget a positive duration
     * @throws IllegalArgumentException if {@code budget} is null, zero or negative
     */
    public Builder maxTime(java.time.Duration budget) {
      if (budget == null || budget.isZero() || budget.isNegative()) {
        throw new IllegalArgumentException("maxTime must be a positive duration, got " + budget
            + "; e.g. maxTime(Duration.ofMinutes(20)), or leave it unset for no budget");
      }
      this.maxTime = budget;
      return this;
    }

    /** The one seed every random generator derives from. Default {@link Seeds#DEFAULT} (42). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The optimiser. Default {@code new Adam(1e-3)}; its learning rate must be &gt; 0. */
    public Builder updater(IUpdater updater) {
      this.updater = Objects.requireNonNull(updater, "updater");
      return this;
    }

    /** Learning-rate schedule replacing the updater's fixed rate (e.g. {@link WarmupCosineSchedule}). */
    public Builder learningRateSchedule(ISchedule schedule) {
      this.learningRateSchedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /** Decoupled weight decay (AdamW style, multiplied by the learning rate); &gt;= 0, default 0. */
    public Builder weightDecay(double coefficient) {
      if (!(coefficient >= 0) || Double.isInfinite(coefficient)) {
        throw new IllegalArgumentException(
            "weightDecay must be finite and >= 0, got " + coefficient + "; typical values are 1e-4..0.05");
      }
      this.weightDecay = coefficient;
      return this;
    }

    /**
     * Gradient clipping / normalisation, e.g. {@code ClipL2PerLayer} with threshold 1.0 or {@code
     * ClipElementWiseAbsoluteValue} with 5.0. Default none.
     */
    public Builder gradientClipping(GradientNormalization type, double threshold) {
      Objects.requireNonNull(type, "type");
      if (!(threshold > 0) || Double.isInfinite(threshold)) {
        throw new IllegalArgumentException(
            "gradient clipping threshold must be finite and > 0, got " + threshold + "; e.g. 1.0");
      }
      this.gradientNormalization = type;
      this.gradientNormalizationThreshold = threshold;
      return this;
    }

    /** Network data type; default FLOAT (DOUBLE for gradient checks and exactness tests). */
    public Builder dataType(DataType dataType) {
      Objects.requireNonNull(dataType, "dataType");
      if (!dataType.isFPType()) {
        throw new IllegalArgumentException(
            "dataType must be a floating-point type, got " + dataType + "; use FLOAT or DOUBLE");
      }
      this.dataType = dataType;
      return this;
    }

    /**
     * Directory for checkpoints, {@code run.json} and loss history; default none (no files). A run
     * owns its directory: it holds an exclusive OS lock on {@code run.lock} there while it trains
     * (a second run on the same directory, in this or another process, is refused), and {@link
     * Trainer#fit} refuses a directory that holds another run's files unless {@link #overwrite} is
     * set.
     */
    public Builder checkpointDir(Path dir) {
      this.checkpointDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Lets {@link Trainer#fit} start afresh in a {@link #checkpointDir} that holds the files of an
     * earlier run that has ended (finished, failed or killed): its checkpoints, {@code run.json} and
     * loss history are deleted first (other files are left alone). Default false: such a directory
     * is refused, so no run deletes or takes over another's checkpoints by accident. A directory
     * whose run is still training is refused either way. {@link Trainer#resume} ignores this.
     */
    public Builder overwrite(boolean on) {
      this.overwrite = on;
      return this;
    }

    /** Checkpoint every n steps (n &gt; 0); default 0 = only at epoch end and at the end of the run. */
    public Builder checkpointEverySteps(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("checkpointEverySteps must be >= 0 (0 = off), got " + n);
      }
      this.checkpointEverySteps = n;
      return this;
    }

    /** Checkpoint at the end of every epoch; default true. */
    public Builder checkpointAtEpochEnd(boolean on) {
      this.checkpointAtEpochEnd = on;
      return this;
    }

    /** Number of most recent checkpoints kept; default 3, must be &gt;= 1. */
    public Builder keepLastCheckpoints(int k) {
      if (k < 1) {
        throw new IllegalArgumentException(
            "keepLastCheckpoints must be >= 1, got " + k + "; resuming needs at least one checkpoint");
      }
      this.keepLastCheckpoints = k;
      return this;
    }

    /** Batches prepared ahead by the background thread; default 2, must be &gt;= 1. */
    public Builder prefetchDepth(int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("prefetchDepth must be >= 1, got " + depth + "; default is 2");
      }
      this.prefetchDepth = depth;
      return this;
    }

    /** Log the loss every n steps; 0 = per epoch only. Default 100. */
    public Builder logEverySteps(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("logEverySteps must be >= 0 (0 = per epoch only), got " + n);
      }
      this.logEverySteps = n;
      return this;
    }

    /** Console progress bar with ETA; default on only when {@code System.console() != null}. */
    public Builder progressBar(boolean on) {
      this.progressBar = on;
      return this;
    }

    /** Check the parameters for NaN/Inf every n steps (n &gt;= 1); default 50. */
    public Builder paramCheckEverySteps(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("paramCheckEverySteps must be >= 1, got " + n);
      }
      this.paramCheckEverySteps = n;
      return this;
    }

    /**
     * What stops a run besides NaN/Inf: loss bound and explosion, parameter bound, collapse to the
     * chance-level loss. Default {@link DivergenceLimits#defaults()}.
     */
    public Builder divergenceLimits(DivergenceLimits limits) {
      this.divergenceLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** DL4J listeners attached to the graph during training (replaces any set before). */
    public Builder listeners(TrainingListener... listeners) {
      this.listeners = new ArrayList<>(Arrays.asList(listeners));
      return this;
    }

    /** DL4J listeners attached to the graph during training (replaces any set before). */
    public Builder listeners(List<TrainingListener> listeners) {
      this.listeners = new ArrayList<>(listeners);
      return this;
    }

    /**
     * Trains each step data-parallel on {@code n} workers in this JVM with DL4J's {@code
     * ParallelWrapper} (one model replica per worker thread, or per device on a GPU host). The step's
     * batch of {@code batchSize} examples is split into {@code n} equal shards, each prepared by the
     * task on its own (views, masks and in-batch negatives are per shard), each worker takes one
     * optimiser step on its shard, and parameters and updater state are averaged after every step.
     * The effective batch stays {@code batchSize}; the data order is that of one worker. Default 1.
     * See docs/scaling-out.md for what changes per method and what resume reproduces.
     *
     * @throws IllegalArgumentException if {@code n < 1}; {@link #build()} also requires
     *     {@code batchSize % n == 0}
     */
    public Builder workers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("workers must be >= 1, got " + n + "; 1 trains on one graph");
      }
      this.workers = n;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if the batch size is not positive, or the learning rate
     *     (a fixed rate) is not finite and &gt; 0, or a schedule's (sampled at steps 0 and 1,
     *     epochs 0 and 1, and at the last step when {@code maxSteps} is set) is NaN, negative or
     *     infinite; {@link Trainer} samples the schedule over the whole run again once the run's
     *     length is known
     */
    public TrainingConfig build() {
      if (batchSize <= 0) {
        throw new IllegalArgumentException(
            "batchSize must be > 0, got " + batchSize + "; pass e.g. TrainingConfig.builder(256)");
      }
      if (batchSize % workers != 0) {
        throw new IllegalArgumentException(
            "batchSize " + batchSize + " is not divisible by workers " + workers + "; each worker takes"
                + " an equal shard of a step's batch: use e.g. batchSize " + (batchSize / workers + 1) * workers);
      }
      if (learningRateSchedule == null && updater.hasLearningRate()) {
        double lr = updater.getLearningRate(0, 0);
        if (!(lr > 0) || Double.isInfinite(lr)) {
          throw new IllegalArgumentException(
              "learning rate must be finite and > 0, got " + lr + " from updater " + updater
                  + "; use e.g. new Adam(1e-3) or set a learningRateSchedule");
        }
      }
      if (learningRateSchedule != null && !updater.hasLearningRate()) {
        throw new IllegalArgumentException(
            "a learningRateSchedule was set but updater " + updater + " has no learning rate; use an"
                + " updater with one (Adam, Sgd, Nesterovs, ...) or drop the schedule");
      }
      // the schedule, or one the updater carries itself (e.g. new Adam(schedule)), at a few steps
      IUpdater u = updater.clone();
      if (learningRateSchedule != null) {
        u.setLrAndSchedule(Double.NaN, learningRateSchedule);
      }
      LearningRates.check(u, maxSteps > 0 ? maxSteps : 2, Long.MAX_VALUE);
      if (epochs == 0 && maxSteps == 0) {
        epochs = 1;
      }
      return new TrainingConfig(this);
    }
  }
}
