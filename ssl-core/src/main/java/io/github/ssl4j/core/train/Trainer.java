package io.github.ssl4j.core.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.InputShapes;
import io.github.ssl4j.core.MethodState;
import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.StatefulPretextTask;
import io.github.ssl4j.core.Versions;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.data.Minibatches;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one trainer for every {@link PretextTask}: builds the task's graph around an {@link Encoder},
 * trains it on an {@link ExampleSource} with background prefetch, checks for divergence, logs,
 * writes atomic checkpoints and resumes from them bit-identically.
 *
 * <pre>{@code
 * Trainer trainer = new Trainer(TrainingConfig.builder(256).epochs(10)
 *     .checkpointDir(Path.of("runs/simclr")).checkpointEverySteps(500).build());
 * TrainingResult r = trainer.fit(task, encoder, source);
 * PretrainedEncoder encoderOnly = r.pretrainedEncoder();
 * // after a crash, with the same task, encoder, data and config:
 * TrainingResult r2 = trainer.resume(Path.of("runs/simclr"), task, encoder, source);
 * }</pre>
 *
 * <p><b>Steps and epochs.</b> An epoch has {@code floor(size / batchSize)} steps; the last
 * incomplete batch is dropped ({@link io.github.ssl4j.core.data.Minibatches#dropLast}). Step {@code
 * s} (0-based) belongs to epoch {@code s / stepsPerEpoch}. The steps run on a {@link TrainingLoop};
 * history, logging, the progress bar, checkpoints and the epoch summary are its listeners.
 *
 * <p><b>Randomness.</b> Everything derives from {@link TrainingConfig#seed()} through {@link
 * Seeds#mix}: weight init from {@code ("init", 0)}, the shuffle of epoch e from {@code ("shuffle",
 * e)}, the collator generator of step s from {@code ("prepare", s)} and the ND4J generator (dropout
 * and other layer noise) is reseeded with {@code ("dropout", s)} before step s. A checkpoint
 * therefore only needs the global step, and resume reproduces the uninterrupted run exactly.
 *
 * <p><b>Checkpoints</b> ({@link TrainingConfig#checkpointDir()}): {@code checkpoint-<step>.zip}
 * holding the DL4J model with updater state, the trainer state (run id, task id and config,
 * config fingerprint, seed, epoch, batch in epoch, global step, loss history) and {@link
 * ModelMetadata}; written to a temporary file and atomically renamed; the last K are kept. {@code
 * run.json} names the run owning the directory. A diverged model is never written.
 *
 * <p><b>Stateful methods.</b> For a {@link StatefulPretextTask} (MoCo, BYOL, DINO) the trainer
 * creates the task's {@link MethodState} for the graph with the seed {@code ("method-state", 0)},
 * calls its {@code beforeStep} and {@code afterStep} around every optimiser step, writes its arrays
 * into every checkpoint ({@code method-state.bin}) and restores them on resume, so a resumed run
 * continues the teacher, queue or centre exactly.
 *
 * <p><b>Run directories.</b> A {@code fit} or {@code resume} call holds an exclusive OS lock on its
 * checkpoint directory ({@code run.lock}) until it returns or throws; the OS releases it if the
 * process dies, {@code kill -9} included. A second call on a locked directory, in this or another
 * process, is refused. On taking the lock, temporary files that a killed write left are deleted.
 * {@code fit} refuses a directory holding another run's files, or checkpoints of the same
 * configuration, unless {@link TrainingConfig.Builder#overwrite} is set; it never takes one over
 * silently.
 *
 * <p>A trainer is immutable and may be reused; each call builds or restores its own graph, which the
 * returned {@link TrainingResult} hands to the caller.
 */
public final class Trainer {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);

  private final TrainingConfig config;

  public Trainer(TrainingConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public TrainingConfig config() {
    return config;
  }

  /**
   * Trains from scratch.
   *
   * @throws IllegalArgumentException if the data source is empty or smaller than one batch, the
   *     encoder does not fit the task, or the first batch does not match the graph inputs
   * @throws IllegalStateException if another run is using the checkpoint directory, or it holds
   *     files of another run or checkpoints of this configuration (use {@link #resume}, another
   *     directory, or {@link TrainingConfig.Builder#overwrite}), or the prefetch thread failed (e.g.
   *     an example of {@code data} holds NaN or infinity: the cause is an IllegalArgumentException
   *     naming the example)
   * @throws DivergenceException if the loss or the parameters become NaN/Inf or break the
   *     config's {@link DivergenceLimits} (e.g. a contrastive loss stuck at chance level)
   * @throws UncheckedIOException if checkpoint files cannot be written
   */
  public TrainingResult fit(PretextTask task, Encoder encoder, ExampleSource data) {
    Dl4jRuntime.configureForTraining();
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(encoder, "encoder");
    long stepsPerEpoch = stepsPerEpoch(data);
    Built built = build(task, encoder, data);
    String runId = UUID.randomUUID().toString();
    Checkpoints.RunInfo run = new Checkpoints.RunInfo(runId, task.id(), config.seed(), built.fingerprint);
    try (RunDirectory owned = config.checkpointDir()
        .map(dir -> RunDirectory.claimForFit(dir, run, config.overwrite())).orElse(null)) {
      ComputationGraph graph = new ComputationGraph(built.conf);
      graph.init();
      LayerHelpers.install(graph);
      log.info("Training task '{}' from scratch: {} examples, {} steps per epoch, {} steps, {} parameters, run {}",
          task.id(), data.size(), stepsPerEpoch, config.totalSteps(stepsPerEpoch), graph.numParams(), runId);
      return run(graph, built, task, encoder, data, stepsPerEpoch,
          new Start(run, owned, 0, new ArrayList<>(), 0.0, null));
    }
  }

  /**
   * Continues a run from a checkpoint. Task, encoder, data (its size) and the config (except run
   * length, checkpoint/log settings and listeners) must be those of the interrupted run: this is
   * checked against the fingerprint stored in the checkpoint. The checkpoint is read and validated
   * completely before anything is constructed from it. New checkpoints go to {@link
   * TrainingConfig#checkpointDir()} if set.
   *
   * @param checkpointOrDir a {@code checkpoint-<step>.zip}, or a directory: its newest valid
   *     checkpoint. Newer ones that are truncated, corrupt or inconsistent are skipped, each logged
   *     at WARN with the reason, and renamed to {@code checkpoint-<step>.zip.invalid} if the directory
   *     is this run's {@link TrainingConfig#checkpointDir()}
   * @throws IllegalArgumentException if the checkpoint file is missing, truncated or corrupt, the
   *     directory holds no valid checkpoint, or the checkpoint is from another task or configuration
   * @throws IllegalStateException if another run is using {@link TrainingConfig#checkpointDir()} or
   *     it belongs to another run
   */
  public TrainingResult resume(Path checkpointOrDir, PretextTask task, Encoder encoder, ExampleSource data) {
    Dl4jRuntime.configureForTraining();
    Objects.requireNonNull(checkpointOrDir, "checkpointOrDir");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(encoder, "encoder");
    long stepsPerEpoch = stepsPerEpoch(data);
    Built built = build(task, encoder, data);
    try (RunDirectory owned = config.checkpointDir()
        .map(dir -> RunDirectory.lock(dir, "resume of task '" + task.id() + "', seed " + config.seed()))
        .orElse(null)) {
      Restored r = restoreNewestValid(checkpointOrDir, owned, built, task, stepsPerEpoch);
      if (owned != null) {
        owned.claimForResume(r.run());
      }
      log.info("Resuming task '{}' from {} at step {} (epoch {}, batch {}), run {}", task.id(), r.file(),
          r.step(), r.step() / stepsPerEpoch, r.step() % stepsPerEpoch, r.run().runId());
      return run(r.graph(), built, task, encoder, data, stepsPerEpoch,
          new Start(r.run(), owned, r.step(), r.history(), r.secondsBefore(), r.methodState()));
    }
  }

  /** A checkpoint restored and checked: the graph with updater state and the run's state. */
  private record Restored(Path file, ComputationGraph graph, Checkpoints.RunInfo run, long step,
      List<LossRecord> history, double secondsBefore, Map<String, INDArray> methodState) {}

  /** The checkpoint belongs to another task or configuration: no other checkpoint of it would do. */
  private static final class WrongRun extends IllegalArgumentException {
    WrongRun(String message) {
      super(message);
    }
  }

  /**
   * {@code checkpointOrDir} itself if it is a file; for a directory its newest checkpoint that reads,
   * checks and restores, logging each newer one skipped and why (and setting those aside when the
   * directory is the one this call writes to).
   */
  private Restored restoreNewestValid(Path checkpointOrDir, RunDirectory owned, Built built,
      PretextTask task, long stepsPerEpoch) {
    if (!Files.isDirectory(checkpointOrDir)) {
      return restore(Checkpoints.resolve(checkpointOrDir), built, task, stepsPerEpoch);
    }
    Checkpoints.resolve(checkpointOrDir); // throws if the directory holds no checkpoint
    List<Path> newestFirst = new ArrayList<>(listQuietly(checkpointOrDir));
    Collections.reverse(newestFirst);
    List<Path> invalid = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (Path file : newestFirst) {
      try {
        Restored r = restore(file, built, task, stepsPerEpoch);
        if (!invalid.isEmpty()) {
          log.warn("Resuming from {}, the newest valid checkpoint; skipped {}", file.getFileName(), reasons);
          if (owned != null && owned.holds(file)) {
            invalid.forEach(owned::setAside);
          }
        }
        return r;
      } catch (WrongRun e) {
        throw e;
      } catch (IllegalArgumentException e) {
        log.warn("Skipping checkpoint {}: {}", file, e.getMessage());
        invalid.add(file);
        reasons.add(file.getFileName() + " (" + e.getMessage() + ")");
      }
    }
    throw new IllegalArgumentException("No valid checkpoint in " + checkpointOrDir + ": " + reasons
        + ". The run cannot be resumed; start it again with fit() in a new directory (or with"
        + " TrainingConfig.Builder.overwrite(true) in this one)");
  }

  /**
   * Reads, checks and restores one checkpoint.
   *
   * @throws WrongRun if it belongs to another task or configuration
   * @throws IllegalArgumentException if it is truncated, corrupt or inconsistent
   */
  private Restored restore(Path file, Built built, PretextTask task, long stepsPerEpoch) {
    Checkpoints.Loaded cp = Checkpoints.read(file);
    JsonNode st = cp.state();
    String taskId = st.get("taskId").asText();
    if (!taskId.equals(task.id())) {
      throw new WrongRun(
          "Checkpoint " + file + " was written by task '" + taskId + "', not '" + task.id()
              + "'; resume with the task that wrote it, or start a new run with fit()");
    }
    long seed = st.get("seed").asLong();
    String fp = st.get("configFingerprint").asText();
    if (seed != config.seed() || !fp.equals(built.fingerprint)) {
      throw new WrongRun(
          "Checkpoint " + file + " belongs to a different configuration: seed " + seed
              + ", config fingerprint " + fp + "; this trainer has seed " + config.seed()
              + ", fingerprint " + built.fingerprint + ". The fingerprint covers the graph (encoder,"
              + " task, updater, schedule, regularisation, data type), task.config(), batch size and"
              + " data size; resume with exactly those of the interrupted run, or start a new run with fit()");
    }
    long globalStep = st.get("globalStep").asLong();
    int epoch = st.get("epoch").asInt();
    int batchInEpoch = st.get("batchInEpoch").asInt();
    if (globalStep != epoch * stepsPerEpoch + batchInEpoch) {
      throw new IllegalArgumentException(
          "Checkpoint " + file + " is inconsistent: global step " + globalStep + " is not epoch "
              + epoch + " * " + stepsPerEpoch + " steps + batch " + batchInEpoch
              + "; it is corrupt or the data size changed. Resume from another checkpoint");
    }
    List<LossRecord> history;
    try {
      history = new ArrayList<>(Checkpoints.history(st));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Checkpoint " + file + " has an unreadable loss history: " + e.getMessage(), e);
    }
    ComputationGraph graph;
    try {
      graph = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(cp.model()), true);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Checkpoint " + file + " holds a model DL4J cannot restore (" + e + "); resume from an"
              + " earlier checkpoint", e);
    }
    LayerHelpers.install(graph);
    if (graph.getIterationCount() != globalStep) {
      throw new IllegalArgumentException(
          "Checkpoint " + file + " is inconsistent: model iteration count " + graph.getIterationCount()
              + " differs from the recorded global step " + globalStep + "; resume from another checkpoint");
    }
    Map<String, INDArray> methodState = null;
    if (task instanceof StatefulPretextTask) {
      if (cp.methodState() == null) {
        throw new IllegalArgumentException(
            "Checkpoint " + file + " has no " + Checkpoints.METHOD_STATE_ENTRY + " (teacher, queue or"
                + " other method state) although task '" + taskId + "' keeps one; resume from another"
                + " checkpoint of the run");
      }
      try {
        methodState = MethodSteps.read(cp.methodState());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Checkpoint " + file + ": " + e.getMessage()
            + "; resume from another checkpoint of the run", e);
      }
    }
    Checkpoints.RunInfo run =
        new Checkpoints.RunInfo(st.get("runId").asText(), taskId, seed, built.fingerprint);
    return new Restored(file, graph, run, globalStep, history, st.get("elapsedSeconds").asDouble(),
        methodState);
  }

  // ---------------------------------------------------------------------------------------------

  private record Built(ComputationGraphConfiguration conf, List<String> inputs,
      List<InputType> inputTypes, String fingerprint) {}

  private long stepsPerEpoch(ExampleSource data) {
    Objects.requireNonNull(data, "data");
    long n = data.size();
    if (n <= 0) {
      throw new IllegalArgumentException(
          "The example source is empty (size " + n + "); the trainer needs at least batchSize = "
              + config.batchSize() + " examples. Check the data path or the source's filter");
    }
    if (n < config.batchSize()) {
      throw new IllegalArgumentException(
          "The example source has " + n + " examples, fewer than one batch of " + config.batchSize()
              + " (incomplete batches are dropped); use a smaller batch size or more data");
    }
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "The example source has " + n + " examples; at most " + Integer.MAX_VALUE + " are supported");
    }
    long stepsPerEpoch = n / config.batchSize();
    config.checkLearningRates(config.totalSteps(stepsPerEpoch), stepsPerEpoch);
    return stepsPerEpoch;
  }

  /**
   * The graph configuration {@link #fit} trains for {@code task} around {@code encoder}: the task's
   * graph with this trainer's seed, updater, schedule, weight decay, clipping and data type. Other
   * engines (data-parallel workers, Spark) build the same graph from it.
   *
   * @throws IllegalArgumentException if the encoder does not fit the task
   */
  public ComputationGraphConfiguration graphConfiguration(PretextTask task, Encoder encoder) {
    return build(task, encoder, null).conf();
  }

  private Built build(PretextTask task, Encoder encoder, ExampleSource data) {
    NeuralNetConfiguration.Builder nn = new NeuralNetConfiguration.Builder()
        .seed(Seeds.forNd4j(Seeds.mix(config.seed(), "init", 0)))
        .updater(config.effectiveUpdater())
        .dataType(config.dataType());
    if (config.weightDecay() > 0) {
      nn.weightDecay(config.weightDecay(), true);
    }
    nn.gradientNormalization(config.gradientNormalization())
        .gradientNormalizationThreshold(config.gradientNormalizationThreshold());
    ComputationGraphConfiguration.GraphBuilder gb = nn.graphBuilder();
    task.buildGraph(gb, encoder);
    List<String> inputs = List.copyOf(gb.getNetworkInputs());
    List<InputType> types = List.copyOf(gb.getNetworkInputTypes());
    if (types.size() != inputs.size()) {
      throw new IllegalArgumentException(
          "Task '" + task.id() + "' declared " + inputs.size() + " graph inputs " + inputs + " but "
              + types.size() + " input types; buildGraph must call setInputTypes(...) for every input");
    }
    ComputationGraphConfiguration conf = gb.build();
    if (!conf.getVertices().containsKey(encoder.outputVertex())) {
      throw new IllegalArgumentException(
          "The graph built by task '" + task.id() + "' has no vertex '" + encoder.outputVertex()
              + "' (the encoder's outputVertex()); the task must add the encoder with encoder.addTo(...)");
    }
    String fingerprint = null;
    if (data != null) {
      try {
        StringBuilder sb = new StringBuilder(conf.toJson())
            .append('\n').append(Checkpoints.JSON.writeValueAsString(task.config()))
            .append('\n').append(task.id())
            .append('\n').append(config.batchSize())
            .append('\n').append(data.size())
            .append('\n').append(config.seed());
        if (config.workers() > 1) {
          sb.append('\n').append("workers ").append(config.workers());
        }
        fingerprint = Checkpoints.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "task.config() of task '" + task.id() + "' is not JSON-serialisable: " + e.getOriginalMessage()
                + "; use strings, numbers, booleans, lists and maps as values", e);
      }
    }
    return new Built(conf, inputs, types, fingerprint);
  }

  private static List<Path> listQuietly(Path dir) {
    try {
      return Checkpoints.list(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Where a run starts: its identity, the directory it owns (null without checkpoints), first step,
   * loss history so far, time spent before and the restored method state (null: none or fresh).
   */
  private record Start(Checkpoints.RunInfo run, RunDirectory directory, long step, List<LossRecord> history,
      double secondsBefore, Map<String, INDArray> methodState) {}

  private TrainingResult run(ComputationGraph graph, Built built, PretextTask task, Encoder encoder,
      ExampleSource data, long stepsPerEpoch, Start start) {
    long total = config.totalSteps(stepsPerEpoch);
    if (start.step() >= total) {
      log.info("Nothing to do: the run already has {} of {} steps", start.step(), total);
    }
    graph.setListeners(config.listeners());
    MethodState method = methodState(graph, task, start);
    CheckpointWriter checkpoints =
        new CheckpointWriter(graph, task, encoder, start, stepsPerEpoch, total, method);
    if (method != null && config.workers() > 1) {
      throw new IllegalArgumentException("Task '" + task.id() + "' keeps state between steps (a teacher,"
          + " a queue or a centre), which data-parallel training with workers(" + config.workers()
          + ") does not support; train it with workers(1)");
    }
    TrainingLoop.Network base = config.workers() > 1
        ? DataParallel.network(graph, config.workers(), config.seed()) : TrainingLoop.Network.of(graph);
    TrainingLoop.Network network = method == null ? base
        : MethodSteps.around(base, method, start.step(), total);
    TrainingLoop.State end;
    try (ProgressBar bar = progressBar(task, start.step(), total)) {
      TrainingLoop.Builder loop = TrainingLoop.builder(network,
              pretrainingBatches(task, data), stepsPerEpoch, total)
          .startStep(start.step(), start.secondsBefore())
          .seed(config.seed())
          .prefetchDepth(config.prefetchDepth())
          .dataType(config.dataType())
          .updater(config.effectiveUpdater())
          .excludeRegularization(config.weightDecay() > 0)
          .paramCheckEverySteps(config.paramCheckEverySteps())
          .divergenceLimits(config.divergenceLimits())
          .divergenceAdvice(CLIPPING_ADVICE, checkpoints::last)
          .firstBatchCheck(batch -> checkInputs(built, batch, task))
          .listener(recordHistory(start.history()))
          .listener(logEverySteps(total))
          .timeLimit(config.maxTime().orElse(null));
      int lossBatch = config.batchSize() / config.workers(); // each worker's loss sees its shard
      task.chanceLoss(lossBatch).ifPresent(chance -> loop.chanceLoss(chance,
          "of task '" + task.id() + "' for batches of " + lossBatch + " examples"));
      task.embeddingVertex().ifPresent(vertex -> loop.embeddings(batch -> EmbeddingSpread.embeddings(graph, vertex,
          batch), "of vertex '" + vertex + "'"));
      if (bar != null) {
        loop.listener(progress(bar));
      }
      end = loop.listener(checkpoints).listener(epochSummary()).build().run();
    }
    if (end.stoppedByTimeLimit()) {
      log.info("Time budget of {} used up after step {} of {}{}", config.maxTime().orElseThrow(), end.step(),
          total, config.checkpointDir().isPresent() ? "; Trainer.resume continues the run from its checkpoint" : "");
    }
    return finish(graph, task, encoder, end, start.history());
  }

  /** The state of a {@link StatefulPretextTask} for {@code graph}, restored on resume; else null. */
  private MethodState methodState(ComputationGraph graph, PretextTask task, Start start) {
    if (!(task instanceof StatefulPretextTask stateful)) {
      return null;
    }
    MethodState state = stateful.createState(graph, Seeds.mix(config.seed(), "method-state", 0));
    if (state == null) {
      throw new IllegalStateException("StatefulPretextTask '" + task.id() + "' createState() returned null");
    }
    if (start.methodState() != null) {
      state.restore(start.methodState());
    }
    return state;
  }

  private static final String CLIPPING_ADVICE = "gradient clipping"
      + " (TrainingConfig.Builder.gradientClipping(GradientNormalization.ClipL2PerLayer, 1.0))";

  /**
   * The batch of each step: the examples of {@link Minibatches#dropLast} order from the config's
   * seed, collated by the task with a generator seeded {@code ("prepare", step)}.
   */
  private TrainingLoop.Batches pretrainingBatches(PretextTask task, ExampleSource data) {
    Minibatches order = Minibatches.dropLast(Math.toIntExact(data.size()), config.batchSize(), config.seed());
    long seed = config.seed();
    return step -> {
      int[] picked = order.indices(step);
      long[] idx = new long[picked.length];
      for (int i = 0; i < picked.length; i++) {
        idx[i] = picked[i];
      }
      INDArray examples = data.get(idx);
      if (examples == null) {
        throw new IllegalStateException("ExampleSource.get returned null for " + idx.length + " indices");
      }
      long bad = InputShapes.firstNonFiniteRow(examples);
      if (bad >= 0) {
        throw new IllegalArgumentException(
            "Example " + idx[(int) bad] + " of the data source (row " + bad + " of the batch of step "
                + (step + 1) + ") holds NaN or infinity; expected finite values only. Remove or impute"
                + " that example (e.g. replace NaN pixels by 0) before training");
      }
      MultiDataSet mds = config.workers() > 1
          ? DataParallel.prepare(task, examples, config.workers(), seed, step)
          : task.prepare(examples, new SplittableRandom(Seeds.mix(seed, "prepare", step)));
      if (mds == null) {
        throw new IllegalStateException("PretextTask '" + task.id() + "' prepare() returned null");
      }
      return mds;
    };
  }

  private ProgressBar progressBar(PretextTask task, long startStep, long total) {
    return config.progressBar() && startStep < total
        ? new ProgressBarBuilder().setTaskName("pretrain " + task.id()).setInitialMax(total)
            .startsFrom(startStep, Duration.ZERO).setUpdateIntervalMillis(500).build()
        : null;
  }

  private static TrainingLoop.Listener recordHistory(List<LossRecord> history) {
    return new TrainingLoop.Listener() {
      @Override
      public void onStep(TrainingLoop.State s) {
        history.add(new LossRecord(s.step(), s.epoch(), s.loss(), s.learningRate(), s.seconds()));
      }
    };
  }

  private TrainingLoop.Listener logEverySteps(long total) {
    int every = config.logEverySteps();
    return new TrainingLoop.Listener() {
      @Override
      public void onStep(TrainingLoop.State s) {
        if (every > 0 && s.step() % every == 0) {
          log.info("step {}/{} epoch {} loss {} lr {}", s.step(), total, s.epoch(), fmt(s.loss()),
              fmt(s.learningRate()));
        }
      }
    };
  }

  private static TrainingLoop.Listener progress(ProgressBar bar) {
    return new TrainingLoop.Listener() {
      @Override
      public void onStep(TrainingLoop.State s) {
        bar.stepTo(s.step());
        bar.setExtraMessage("loss " + fmt(s.loss()));
      }
    };
  }

  private TrainingLoop.Listener epochSummary() {
    int batchSize = config.batchSize();
    return new TrainingLoop.Listener() {
      @Override
      public void onEpochEnd(TrainingLoop.State s) {
        long nanos = s.epochNanos();
        double secs = nanos / 1e9;
        log.info("epoch {} {}: mean loss {}, {} samples/s, {} s, data wait {}% of step time",
            s.epoch(), s.atEpochEnd() ? "done" : "stopped", fmt(s.epochMeanLoss()),
            String.format(Locale.ROOT, "%.1f", s.epochSteps() * (double) batchSize / Math.max(secs, 1e-9)),
            String.format(Locale.ROOT, "%.1f", secs),
            String.format(Locale.ROOT, "%.1f", 100.0 * s.epochDataWaitNanos() / Math.max(1, nanos)));
      }
    };
  }

  /** Writes the loss history, detaches the listeners and describes the run. */
  private TrainingResult finish(ComputationGraph graph, PretextTask task, Encoder encoder,
      TrainingLoop.State end, List<LossRecord> history) {
    long step = end.step();
    double callSeconds = end.runSeconds();
    long stepsThisCall = step - end.startStep();
    double samplesPerSecond = stepsThisCall * (double) config.batchSize() / Math.max(callSeconds, 1e-9);
    double waitShare = stepsThisCall == 0 ? 0
        : Math.min(1, end.dataWaitNanos() / 1e9 / Math.max(callSeconds, 1e-9));
    config.checkpointDir().ifPresent(dir -> {
      try {
        Checkpoints.writeHistory(dir, history);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write the loss history into " + dir + ": " + e.getMessage(), e);
      }
    });
    graph.setListeners(List.of());
    return new TrainingResult(graph, encoder, history, step,
        Math.toIntExact(step / end.stepsPerEpoch()), samplesPerSecond, waitShare,
        metadata(task, encoder, step));
  }

  private void checkInputs(Built built, MultiDataSet mds, PretextTask task) {
    INDArray[] features = mds.getFeatures();
    int got = features == null ? 0 : features.length;
    if (got != built.inputs().size()) {
      throw new IllegalArgumentException(
          "Task '" + task.id() + "' prepared " + got + " feature arrays but the graph has "
              + built.inputs().size() + " inputs " + built.inputs()
              + "; prepare() must return one feature array per graph input, in input order");
    }
    for (int i = 0; i < got; i++) {
      InputShapes.check(built.inputTypes().get(i), features[i], built.inputs().get(i));
    }
  }

  /**
   * Writes a checkpoint every {@code checkpointEverySteps} steps, at epoch ends if asked, and after
   * the last step; checks the parameters and the embeddings first, so a diverged or collapsed model
   * is never written.
   */
  private final class CheckpointWriter implements TrainingLoop.Listener {
    private final Path dir;
    private final ComputationGraph graph;
    private final PretextTask task;
    private final Encoder encoder;
    private final Start start;
    private final long stepsPerEpoch;
    private final long total;
    private final MethodState method;
    private Path last;
    private long writtenStep = -1;

    CheckpointWriter(ComputationGraph graph, PretextTask task, Encoder encoder, Start start,
        long stepsPerEpoch, long total, MethodState method) {
      this.dir = config.checkpointDir().orElse(null);
      this.graph = graph;
      this.task = task;
      this.encoder = encoder;
      this.start = start;
      this.stepsPerEpoch = stepsPerEpoch;
      this.total = total;
      this.method = method;
      List<Path> existing = dir == null ? List.of() : listQuietly(dir);
      this.last = existing.isEmpty() ? null : existing.get(existing.size() - 1);
    }

    /** The newest checkpoint of the directory, null if none. */
    Path last() {
      return last;
    }

    @Override
    public void onStep(TrainingLoop.State s) {
      long done = s.step();
      boolean due = dir != null
          && ((config.checkpointEverySteps() > 0 && done % config.checkpointEverySteps() == 0)
              || (config.checkpointAtEpochEnd() && s.atEpochEnd())
              || done == total);
      if (due) {
        save(s);
      }
    }

    @Override
    public void onEnd(TrainingLoop.State s) {
      if (dir != null && s.stoppedByTimeLimit() && s.step() > writtenStep) {
        save(s);
      }
    }

    private void save(TrainingLoop.State s) {
      long done = s.step();
      s.checkParameters();
      s.checkEmbeddings();
      if (s.lossAtChanceSteps() > 0 && done != total) {
        // a model whose loss sits at chance level may be collapsing: keep the last good checkpoint
        log.warn("step {}: loss {} is at the task's chance level ({} steps); checkpoint postponed",
            done, fmt(s.loss()), s.lossAtChanceSteps());
      } else if (s.collapsedEmbeddingChecks() > 0 && done != total) {
        log.warn("step {}: the embeddings' spread {} is at or below the bound; checkpoint postponed",
            done, fmt(s.embeddingSpread()));
      } else {
        last = write(done, s.seconds());
        writtenStep = done;
      }
    }

    private Path write(long done, double seconds) {
      List<LossRecord> history = start.history();
      try {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bos, true);
        ObjectNode state = Checkpoints.JSON.createObjectNode();
        state.put("format", Checkpoints.FORMAT);
        state.put("runId", start.run().runId());
        state.put("taskId", task.id());
        state.set("taskConfig", Checkpoints.JSON.valueToTree(task.config()));
        state.put("configFingerprint", start.run().configFingerprint());
        state.put("seed", config.seed());
        state.put("epoch", Math.toIntExact(done / stepsPerEpoch));
        state.put("batchInEpoch", Math.toIntExact(done % stepsPerEpoch));
        state.put("globalStep", done);
        state.put("elapsedSeconds", seconds);
        state.set("lossHistory", Checkpoints.JSON.valueToTree(history));
        start.directory().recordOwner();
        Path file = Checkpoints.write(dir, done, bos.toByteArray(), state, metadata(task, encoder, done),
            config.keepLastCheckpoints(), method == null ? null : MethodSteps.write(method));
        Checkpoints.writeHistory(dir, history);
        log.debug("checkpoint {}", file);
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Could not write the checkpoint for step " + done + " into " + dir + ": " + e.getMessage()
                + "; check free disk space and permissions (earlier checkpoints are intact)", e);
      }
    }
  }

  private ModelMetadata metadata(PretextTask task, Encoder encoder, long steps) {
    return new ModelMetadata(task.id(), task.config(), encoder.describe(),
        encoder.inputType().toString(), encoder.blockOutputs(), encoder.representationSize(),
        config.seed(), steps, Versions.ssl4j(), Versions.dl4j(), Instant.now().toString());
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
