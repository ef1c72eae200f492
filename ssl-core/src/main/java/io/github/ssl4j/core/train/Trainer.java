package io.github.ssl4j.core.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.InputShapes;
import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.Versions;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
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
 * // after a crash, with the same task, encoder, data and config:
 * TrainingResult r2 = trainer.resume(Path.of("runs/simclr"), task, encoder, source);
 * }</pre>
 *
 * <p><b>Steps and epochs.</b> An epoch has {@code floor(size / batchSize)} steps; the last
 * incomplete batch is dropped. Step {@code s} (0-based) belongs to epoch {@code s / stepsPerEpoch}.
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
 * <p>A trainer is immutable and may be reused; each call builds or restores its own graph, which the
 * returned {@link TrainingResult} hands to the caller. Calls are not meant to run concurrently on
 * the same checkpoint directory.
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
   * @throws IllegalStateException if the checkpoint directory belongs to another run or already
   *     holds checkpoints of this run (use {@link #resume}), or the prefetch thread failed
   * @throws DivergenceException if the loss or the parameters become NaN/Inf
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
    config.checkpointDir().ifPresent(dir -> claimForFit(dir, run));
    ComputationGraph graph = new ComputationGraph(built.conf);
    graph.init();
    LayerHelpers.install(graph);
    log.info("Training task '{}' from scratch: {} examples, {} steps per epoch, {} steps, {} parameters, run {}",
        task.id(), data.size(), stepsPerEpoch, config.totalSteps(stepsPerEpoch), graph.numParams(), runId);
    return run(graph, built, task, encoder, data, stepsPerEpoch, run, 0, new ArrayList<>(), 0.0);
  }

  /**
   * Continues a run from a checkpoint. Task, encoder, data (its size) and the config (except run
   * length, checkpoint/log settings and listeners) must be those of the interrupted run: this is
   * checked against the fingerprint stored in the checkpoint. The checkpoint is read and validated
   * completely before anything is constructed from it. New checkpoints go to {@link
   * TrainingConfig#checkpointDir()} if set.
   *
   * @param checkpointOrDir a {@code checkpoint-<step>.zip} or a directory (its newest checkpoint)
   * @throws IllegalArgumentException if the checkpoint is missing, truncated, corrupt, or from
   *     another task or configuration
   */
  public TrainingResult resume(Path checkpointOrDir, PretextTask task, Encoder encoder, ExampleSource data) {
    Dl4jRuntime.configureForTraining();
    Objects.requireNonNull(checkpointOrDir, "checkpointOrDir");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(encoder, "encoder");
    long stepsPerEpoch = stepsPerEpoch(data);
    Built built = build(task, encoder, data);
    Path file = Checkpoints.resolve(checkpointOrDir);
    Checkpoints.Loaded cp = Checkpoints.read(file);
    JsonNode st = cp.state();
    String taskId = st.get("taskId").asText();
    if (!taskId.equals(task.id())) {
      throw new IllegalArgumentException(
          "Checkpoint " + file + " was written by task '" + taskId + "', not '" + task.id()
              + "'; resume with the task that wrote it, or start a new run with fit()");
    }
    long seed = st.get("seed").asLong();
    String fp = st.get("configFingerprint").asText();
    if (seed != config.seed() || !fp.equals(built.fingerprint)) {
      throw new IllegalArgumentException(
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
    Checkpoints.RunInfo run =
        new Checkpoints.RunInfo(st.get("runId").asText(), taskId, seed, built.fingerprint);
    config.checkpointDir().ifPresent(dir -> claimForResume(dir, run));
    log.info("Resuming task '{}' from {} at step {} (epoch {}, batch {}), run {}",
        task.id(), file, globalStep, epoch, batchInEpoch, run.runId());
    return run(graph, built, task, encoder, data, stepsPerEpoch, run, globalStep, history,
        st.get("elapsedSeconds").asDouble());
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
    return n / config.batchSize();
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
    String fingerprint;
    try {
      StringBuilder sb = new StringBuilder(conf.toJson())
          .append('\n').append(Checkpoints.JSON.writeValueAsString(task.config()))
          .append('\n').append(task.id())
          .append('\n').append(config.batchSize())
          .append('\n').append(data.size())
          .append('\n').append(config.seed());
      fingerprint = Checkpoints.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "task.config() of task '" + task.id() + "' is not JSON-serialisable: " + e.getOriginalMessage()
              + "; use strings, numbers, booleans, lists and maps as values", e);
    }
    return new Built(conf, inputs, types, fingerprint);
  }

  private static void claimForFit(Path dir, Checkpoints.RunInfo run) {
    Checkpoints.RunInfo owner = Checkpoints.readRun(dir);
    List<Path> existing = listQuietly(dir);
    if (owner != null && !owner.sameOwner(run)) {
      if (existing.isEmpty()) {
        // the owner stopped before its first checkpoint (e.g. a rejected first batch): nothing to lose
        log.warn("Checkpoint directory {} was claimed by {} but holds no checkpoint; taking it over",
            dir, owner.describe());
      } else {
        throw new IllegalStateException(
            "Checkpoint directory " + dir + " belongs to another run: " + owner.describe()
                + "; this run is " + run.describe() + ". Use a new checkpoint directory, or resume()"
                + " the run that owns it with its own task and config");
      }
    } else if (!existing.isEmpty()) {
      throw new IllegalStateException(
          "Checkpoint directory " + dir + " already holds checkpoints of this configuration (newest "
              + existing.get(existing.size() - 1).getFileName() + "); fit() would mix two runs."
              + " Call resume(" + dir + ", ...) to continue it, or use a new directory");
    }
    try {
      Checkpoints.writeRun(dir, run);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + dir.resolve(Checkpoints.RUN_FILE) + ": " + e.getMessage(), e);
    }
  }

  private static void claimForResume(Path dir, Checkpoints.RunInfo run) {
    Checkpoints.RunInfo owner = Checkpoints.readRun(dir);
    if (owner != null && !owner.sameOwner(run)) {
      throw new IllegalStateException(
          "Checkpoint directory " + dir + " belongs to another run: " + owner.describe()
              + "; the resumed run is " + run.describe() + ". Point TrainingConfig.checkpointDir at"
              + " the resumed run's directory or a new one");
    }
    if (owner == null) {
      try {
        Checkpoints.writeRun(dir, run);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write " + dir.resolve(Checkpoints.RUN_FILE) + ": " + e.getMessage(), e);
      }
    }
  }

  private static List<Path> listQuietly(Path dir) {
    try {
      return Checkpoints.list(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list " + dir + ": " + e.getMessage(), e);
    }
  }

  private TrainingResult run(ComputationGraph graph, Built built, PretextTask task, Encoder encoder,
      ExampleSource data, long stepsPerEpoch, Checkpoints.RunInfo run, long startStep,
      List<LossRecord> history, double elapsedBefore) {
    long total = config.totalSteps(stepsPerEpoch);
    int batchSize = config.batchSize();
    IUpdater updater = config.effectiveUpdater();
    graph.setListeners(config.listeners());
    Path dir = config.checkpointDir().orElse(null);
    Path lastCheckpoint = dir == null ? null : lastOrNull(listQuietly(dir));
    long callStart = System.nanoTime();
    long waitNanos = 0;
    long epochStart = callStart;
    long epochWait = 0;
    double epochLossSum = 0;
    int epochSteps = 0;
    long step = startStep;
    if (startStep >= total) {
      log.info("Nothing to do: the run already has {} of {} steps", startStep, total);
    }
    ProgressBar bar = config.progressBar() && startStep < total
        ? new ProgressBarBuilder().setTaskName("pretrain " + task.id()).setInitialMax(total)
            .startsFrom(startStep, Duration.ZERO).setUpdateIntervalMillis(500).build()
        : null;
    try (Prefetcher prefetch = startStep < total
        ? new Prefetcher(data, task, config.seed(), batchSize, stepsPerEpoch, startStep, total,
            config.prefetchDepth(), config.dataType())
        : null;
        ProgressBar ignored = bar) {
      for (; step < total; step++) {
        long t0 = System.nanoTime();
        Prefetcher.Batch batch = prefetch.take();
        long waited = System.nanoTime() - t0;
        waitNanos += waited;
        epochWait += waited;
        MultiDataSet mds = batch.data();
        if (step == startStep) {
          checkInputs(built, mds, task);
        }
        int epoch = Math.toIntExact(step / stepsPerEpoch);
        graph.getConfiguration().setEpochCount(epoch);
        double lr = updater.hasLearningRate() ? updater.getLearningRate(Math.toIntExact(step), epoch) : Double.NaN;
        Nd4j.getRandom().setSeed(Seeds.forNd4j(Seeds.mix(config.seed(), "dropout", step)));
        // DL4J adds 0.5 * coeff * |w|^2 of the weight decay to the score; the decay is decoupled
        // (applied in the updater), so the task loss is recorded without it
        double regularization = config.weightDecay() > 0 ? graph.calcRegularizationScore(true) : 0;
        graph.fit(mds);
        double loss = graph.score() - regularization;
        long done = step + 1;
        if (!Double.isFinite(loss)) {
          throw diverged(done, epoch, "loss", loss, lr, lastCheckpoint);
        }
        double seconds = elapsedBefore + (System.nanoTime() - callStart) / 1e9;
        history.add(new LossRecord(done, epoch, loss, lr, seconds));
        epochLossSum += loss;
        epochSteps++;
        if (done % config.paramCheckEverySteps() == 0) {
          checkParams(graph, done, epoch, lr, lastCheckpoint);
        }
        if (config.logEverySteps() > 0 && done % config.logEverySteps() == 0) {
          log.info("step {}/{} epoch {} loss {} lr {}", done, total, epoch, fmt(loss), fmt(lr));
        }
        if (bar != null) {
          bar.stepTo(done);
          bar.setExtraMessage("loss " + fmt(loss));
        }
        boolean epochEnd = done % stepsPerEpoch == 0;
        boolean checkpoint = dir != null
            && ((config.checkpointEverySteps() > 0 && done % config.checkpointEverySteps() == 0)
                || (config.checkpointAtEpochEnd() && epochEnd)
                || done == total);
        if (checkpoint) {
          checkParams(graph, done, epoch, lr, lastCheckpoint);
          lastCheckpoint = writeCheckpoint(dir, graph, task, encoder, run, done, stepsPerEpoch,
              history, seconds);
        }
        if (epochEnd || done == total) {
          long now = System.nanoTime();
          double secs = (now - epochStart) / 1e9;
          log.info("epoch {} {}: mean loss {}, {} samples/s, {} s, data wait {}% of step time",
              epoch, epochEnd ? "done" : "stopped", fmt(epochLossSum / Math.max(1, epochSteps)),
              String.format(Locale.ROOT, "%.1f", epochSteps * (double) batchSize / Math.max(secs, 1e-9)),
              String.format(Locale.ROOT, "%.1f", secs),
              String.format(Locale.ROOT, "%.1f", 100.0 * epochWait / Math.max(1, now - epochStart)));
          epochStart = now;
          epochWait = 0;
          epochLossSum = 0;
          epochSteps = 0;
        }
      }
    }
    double callSeconds = (System.nanoTime() - callStart) / 1e9;
    long stepsThisCall = step - startStep;
    double samplesPerSecond = stepsThisCall * (double) batchSize / Math.max(callSeconds, 1e-9);
    double waitShare = stepsThisCall == 0 ? 0 : Math.min(1, waitNanos / 1e9 / Math.max(callSeconds, 1e-9));
    if (dir != null) {
      try {
        Checkpoints.writeHistory(dir, history);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write the loss history into " + dir + ": " + e.getMessage(), e);
      }
    }
    graph.setListeners(List.of());
    return new TrainingResult(graph, encoder.outputVertex(), history, step,
        Math.toIntExact(step / stepsPerEpoch), samplesPerSecond, waitShare,
        metadata(task, encoder, step));
  }

  private static Path lastOrNull(List<Path> files) {
    return files.isEmpty() ? null : files.get(files.size() - 1);
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

  private void checkParams(ComputationGraph graph, long step, int epoch, double lr, Path lastCheckpoint) {
    double sum = graph.params().sumNumber().doubleValue();
    if (!Double.isFinite(sum)) {
      throw diverged(step, epoch, "sum of parameters", sum, lr, lastCheckpoint);
    }
  }

  private DivergenceException diverged(long step, int epoch, String what, double value, double lr,
      Path lastCheckpoint) {
    String msg = "Training diverged at step " + step + " (epoch " + epoch + "): " + what + " is "
        + value + " (learning rate " + fmt(lr) + "). Try a lower learning rate, gradient clipping"
        + " (TrainingConfig.Builder.gradientClipping(GradientNormalization.ClipL2PerLayer, 1.0)),"
        + " or check the input scaling (inputs roughly zero-mean, unit variance; no NaN in the data). "
        + (lastCheckpoint != null
            ? "The last good checkpoint is " + lastCheckpoint + " (left unchanged)."
            : "No checkpoint was written before the divergence.");
    log.error(msg);
    return new DivergenceException(step, value, msg);
  }

  private Path writeCheckpoint(Path dir, ComputationGraph graph, PretextTask task, Encoder encoder,
      Checkpoints.RunInfo run, long done, long stepsPerEpoch, List<LossRecord> history, double seconds) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      ModelSerializer.writeModel(graph, bos, true);
      ObjectNode state = Checkpoints.JSON.createObjectNode();
      state.put("format", Checkpoints.FORMAT);
      state.put("runId", run.runId());
      state.put("taskId", task.id());
      state.set("taskConfig", Checkpoints.JSON.valueToTree(task.config()));
      state.put("configFingerprint", run.configFingerprint());
      state.put("seed", config.seed());
      state.put("epoch", Math.toIntExact(done / stepsPerEpoch));
      state.put("batchInEpoch", Math.toIntExact(done % stepsPerEpoch));
      state.put("globalStep", done);
      state.put("elapsedSeconds", seconds);
      state.set("lossHistory", Checkpoints.JSON.valueToTree(history));
      Path file = Checkpoints.write(dir, done, bos.toByteArray(), state, metadata(task, encoder, done),
          config.keepLastCheckpoints());
      Checkpoints.writeHistory(dir, history);
      log.debug("checkpoint {}", file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not write the checkpoint for step " + done + " into " + dir + ": " + e.getMessage()
              + "; check free disk space and permissions (earlier checkpoints are intact)", e);
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
