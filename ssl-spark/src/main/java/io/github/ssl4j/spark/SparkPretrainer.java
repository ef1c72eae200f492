package io.github.ssl4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.Versions;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import io.github.ssl4j.core.train.LossRecord;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pretrains a {@link PretextTask} and an {@link Encoder} on a Spark {@code JavaRDD} of examples,
 * one worker per partition, and returns the same {@link TrainingResult} (and so the same {@link
 * io.github.ssl4j.core.PretrainedEncoder}) as the single-JVM {@link Trainer}.
 *
 * <pre>{@code
 * JavaRDD<INDArray> images = sc.parallelize(rows, 8); // one example per element, e.g. [1, 28, 28]; 8 workers
 * TrainingConfig config = TrainingConfig.builder(128).epochs(3).seed(42).build();  // per-worker batch
 * SparkPretrainer spark = new SparkPretrainer(sc, config,
 *     SparkTraining.parameterAveraging(5).checkpointPath("hdfs:///runs/simclr"));
 * TrainingResult r = spark.fit(images, ContrastiveTask::simclr, ConvEncoder.small(28, 28, 1));
 * }</pre>
 *
 * <p><b>Batches.</b> {@link TrainingConfig#batchSize()} is the batch of one worker; a step of the
 * run takes one batch on every worker, so the effective batch is {@code workers × batchSize}.
 * Batches are drawn and prepared on the executors from each partition's examples ({@code
 * task.prepare} with a generator seeded per worker and step; see {@code WorkerSpec}). An epoch has
 * {@code min over partitions of floor(partitionSize / batchSize)} steps; the run lasts {@link
 * TrainingConfig#totalSteps} of them. The partitions' contents and order must be the same on every
 * evaluation of the RDD (a {@code parallelize}d collection or a file read, not an unseeded shuffle);
 * an RDD that is not persisted yet is cached for the run and unpersisted at its end; each executor
 * keeps its partitions' examples and graph between rounds and frees them at the end of the run.
 *
 * <p>The result's {@link TrainingResult#samplesPerSecond()} counts the examples of all workers;
 * its {@link TrainingResult#dataWaitShare()} is 0 (not measured on the executors).
 *
 * <p><b>What is taken from {@link TrainingConfig}:</b> batch size, epochs, max steps, seed,
 * updater and learning-rate schedule, weight decay, gradient clipping, data type, prefetch depth.
 * Its checkpoint directory, listeners, progress bar and divergence limits are not used: checkpoints
 * go to {@link SparkTraining#checkpointPath()}; each worker's step loop checks its loss for NaN and
 * explosion with the default {@link io.github.ssl4j.core.train.DivergenceLimits}.
 *
 * <p><b>Reproducibility.</b> With the same RDD partitions, configuration and seed a run gives the
 * same parameters on the same hardware and thread count: worker results are combined in partition
 * order. With one partition and {@link SparkTraining#parameterAveraging}, the run is bit-identical
 * to {@code new Trainer(config).fit(task, encoder, new ArraySource(examples))} on the same examples
 * in the same order. {@link #resume} continues from the newest checkpoint and ends with the
 * parameters of the uninterrupted run.
 */
public final class SparkPretrainer {
  private static final Logger log = LoggerFactory.getLogger(SparkPretrainer.class);
  private static final int FORMAT = 1;

  private final JavaSparkContext sc;
  private final TrainingConfig config;
  private final SparkTraining training;
  private final List<RoundListener> listeners = new ArrayList<>();

  /**
   * @param sc the Spark context the example RDDs belong to
   * @param config the training settings; its batch size is per worker
   * @param training how the workers are combined and where checkpoints go
   */
  public SparkPretrainer(JavaSparkContext sc, TrainingConfig config, SparkTraining training) {
    this.sc = Objects.requireNonNull(sc, "sc");
    this.config = Objects.requireNonNull(config, "config");
    this.training = Objects.requireNonNull(training, "training");
  }

  /** Adds a listener called on the driver after every round; returns this. */
  public SparkPretrainer listener(RoundListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Trains from scratch.
   *
   * @param examples one example per element, all of one shape (an image {@code [c, h, w]}, a vector
   *     {@code [d]}, ...); a batch is {@code [batchSize, ...that shape]}. One worker per partition
   * @param task builds the pretext task; called once on the driver and once per executor JVM
   * @param encoder the encoder (used on the driver only; the workers get the graph configuration)
   * @throws IllegalArgumentException if a partition holds fewer than one batch of examples, or the
   *     encoder does not fit the task
   * @throws IllegalStateException if the checkpoint path already holds checkpoints (use {@link
   *     #resume} or another path)
   * @throws org.apache.spark.SparkException (unchecked by Spark's Java API) if a worker fails, e.g.
   *     its loss diverged
   */
  public TrainingResult fit(JavaRDD<INDArray> examples, SerializableSupplier<? extends PretextTask> task,
      Encoder encoder) {
    Run run = prepare(examples, task, encoder);
    if (run.checkpoints != null && !listQuietly(run.checkpoints).isEmpty()) {
      throw new IllegalStateException("The checkpoint path " + training.checkpointPath() + " already holds"
          + " checkpoints; resume them with SparkPretrainer.resume(...), or use a new path");
    }
    ComputationGraph graph = new ComputationGraph(run.conf);
    graph.init();
    LayerHelpers.install(graph);
    log.info("Spark pretraining of task '{}' from scratch: {} workers, {} examples per worker batch, {} steps"
        + " per epoch, {} steps, {}", run.task.id(), run.sizes.size(), config.batchSize(), run.stepsPerEpoch,
        run.totalSteps, training);
    return train(run, graph, 0, new ArrayList<>(), 0);
  }

  /**
   * Continues a run from the newest readable checkpoint of {@link SparkTraining#checkpointPath()}.
   * Task, encoder, partitions (their sizes), seed and the configuration (except run length) must be
   * those of the interrupted run: this is checked against the checkpoint's fingerprint.
   *
   * @throws IllegalArgumentException if no checkpoint path is set, it holds no readable checkpoint,
   *     or the checkpoint belongs to another task, configuration or partitioning
   */
  public TrainingResult resume(JavaRDD<INDArray> examples, SerializableSupplier<? extends PretextTask> task,
      Encoder encoder) {
    if (training.checkpointPath() == null) {
      throw new IllegalArgumentException(
          "resume needs SparkTraining.checkpointPath(...): the path of the interrupted run's checkpoints");
    }
    Run run = prepare(examples, task, encoder);
    List<FileStatus> files = new ArrayList<>(listQuietly(run.checkpoints));
    Collections.reverse(files);
    List<String> skipped = new ArrayList<>();
    for (FileStatus f : files) {
      HadoopCheckpoints.Loaded cp;
      ComputationGraph graph;
      try {
        cp = run.checkpoints.read(f.getPath());
        graph = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(cp.model()), true);
      } catch (IOException | RuntimeException e) {
        log.warn("Skipping checkpoint {}: {}", f.getPath(), e.getMessage());
        skipped.add(f.getPath().getName());
        continue;
      }
      JsonNode st = cp.state();
      String fp = st.path("fingerprint").asText();
      if (!fp.equals(run.fingerprint)) {
        throw new IllegalArgumentException("Checkpoint " + cp.file() + " belongs to another run: fingerprint "
            + fp + ", this run's is " + run.fingerprint + ". The fingerprint covers the graph, task, seed,"
            + " batch size, combination mode, steps per round and the partition sizes; resume with those of"
            + " the interrupted run, or start a new run with fit() on a new path");
      }
      long step = st.path("globalStep").asLong();
      LayerHelpers.install(graph);
      List<LossRecord> history = new ArrayList<>();
      for (JsonNode r : st.path("lossHistory")) {
        history.add(new LossRecord(r.get("step").asLong(), r.get("epoch").asInt(), r.get("loss").asDouble(),
            r.get("learningRate").asDouble(), r.get("seconds").asDouble()));
      }
      log.info("Resuming task '{}' from {} at step {} of {}{}", run.task.id(), cp.file(), step, run.totalSteps,
          skipped.isEmpty() ? "" : " (skipped unreadable " + skipped + ")");
      return train(run, graph, step, history, st.path("elapsedSeconds").asDouble());
    }
    throw new IllegalArgumentException("No readable checkpoint in " + training.checkpointPath()
        + (skipped.isEmpty() ? "" : " (unreadable: " + skipped + ")")
        + "; start the run again with fit() on a new path");
  }

  // ---------------------------------------------------------------------------------------------

  /** Everything a run needs before its first step. */
  private record Run(JavaRDD<INDArray> examples, PretextTask task, Encoder encoder, ComputationGraphConfiguration conf,
      List<Long> sizes, long stepsPerEpoch, long totalSteps, String fingerprint, Broadcast<WorkerSpec> spec,
      HadoopCheckpoints checkpoints, boolean cachedHere) {}

  private Run prepare(JavaRDD<INDArray> examples, SerializableSupplier<? extends PretextTask> taskRecipe,
      Encoder encoder) {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(taskRecipe, "task");
    Objects.requireNonNull(encoder, "encoder");
    Dl4jRuntime.configureForTraining();
    PretextTask task = Objects.requireNonNull(taskRecipe.get(), "the task recipe returned null");
    ComputationGraphConfiguration conf = new Trainer(config).graphConfiguration(task, encoder);
    boolean cachedHere = examples.getStorageLevel().equals(StorageLevel.NONE());
    if (cachedHere) {
      examples = examples.persist(StorageLevel.MEMORY_ONLY());
    }
    List<Long> sizes = examples.mapPartitions(it -> {
      long n = 0;
      for (; it.hasNext(); it.next()) {
        n++;
      }
      return List.of(n).iterator();
    }).collect();
    int batch = config.batchSize();
    for (int p = 0; p < sizes.size(); p++) {
      if (sizes.get(p) < batch) {
        throw new IllegalArgumentException("Partition " + p + " of the example RDD holds " + sizes.get(p)
            + " examples, fewer than one batch of " + batch + " (the batch size is per worker); use fewer"
            + " partitions (coalesce), a smaller batch size or more data. Partition sizes: " + sizes);
      }
    }
    long stepsPerEpoch = sizes.stream().mapToLong(n -> n / batch).min().orElseThrow();
    long total = config.totalSteps(stepsPerEpoch);
    config.checkLearningRates(total, stepsPerEpoch);
    String json = conf.toJson();
    String fingerprint;
    try {
      fingerprint = sha256(json + '\n' + HadoopCheckpoints.JSON.writeValueAsString(task.config()) + '\n'
          + task.id() + '\n' + batch + '\n' + sizes + '\n' + config.seed() + '\n' + training.mode() + '\n'
          + training.stepsPerRound()).substring(0, 16);
    } catch (IOException e) {
      throw new IllegalArgumentException("task.config() of task '" + task.id() + "' is not JSON-serialisable: "
          + e.getMessage(), e);
    }
    WorkerSpec spec = new WorkerSpec(fingerprint + "-" + UUID.randomUUID(), json, taskRecipe, config.seed(),
        sizes.size(), batch, stepsPerEpoch, config.dataType(), config.prefetchDepth(), config.weightDecay() > 0);
    HadoopCheckpoints checkpoints = training.checkpointPath() == null ? null
        : new HadoopCheckpoints(training.checkpointPath(), sc.hadoopConfiguration());
    return new Run(examples, task, encoder, conf, sizes, stepsPerEpoch, total, fingerprint, sc.broadcast(spec),
        checkpoints, cachedHere);
  }

  private TrainingResult train(Run run, ComputationGraph graph, long startStep, List<LossRecord> history,
      double secondsBefore) {
    long t0 = System.nanoTime();
    long step = startStep;
    DriverUpdater driverUpdater = training.mode() == SparkTraining.Mode.GRADIENT_SHARING
        ? new DriverUpdater(graph, run) : null;
    try {
      while (step < run.totalSteps) {
        long to = Math.min(step + training.stepsPerRound(), run.totalSteps);
        double[] losses = driverUpdater == null ? averagingRound(run, graph, step, to)
            : driverUpdater.steps(step, to);
        double seconds = secondsBefore + (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < losses.length; i++) {
          long done = step + i + 1;
          int epoch = Math.toIntExact((done - 1) / run.stepsPerEpoch);
          double loss = losses[i];
          if (!Double.isFinite(loss)) {
            throw new IllegalStateException("Training diverged at step " + done + ": the mean loss over the"
                + " workers is " + loss + "; try a lower learning rate or gradient clipping");
          }
          history.add(new LossRecord(done, epoch, loss, learningRate(done - 1, epoch), seconds));
        }
        step = to;
        String checkpoint = run.checkpoints == null ? null : writeCheckpoint(run, graph, step, history, seconds);
        log.info("step {}/{} loss {} ({} s)", step, run.totalSteps, fmt(losses[losses.length - 1]),
            String.format(Locale.ROOT, "%.1f", seconds));
        for (RoundListener l : listeners) {
          l.onRound(step, run.totalSteps, losses[losses.length - 1], checkpoint);
        }
      }
    } finally {
      String runKey = run.spec.value().runKey();
      run.examples.foreachPartition(it -> WorkerSpec.release(runKey));
      run.spec.unpersist();
      if (run.cachedHere) {
        run.examples.unpersist();
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    double samplesPerSecond = (step - startStep) * (double) config.batchSize() * run.sizes.size()
        / Math.max(secs, 1e-9);
    return new TrainingResult(graph, run.encoder, history, step, Math.toIntExact(step / run.stepsPerEpoch),
        samplesPerSecond, 0, metadata(run, step));
  }

  /** One parameter-averaging round {@code [from, to)}; leaves the mean state in {@code graph}. */
  private double[] averagingRound(Run run, ComputationGraph graph, long from, long to) {
    INDArray state = graph.getUpdater(true).getStateViewArray();
    Broadcast<ParameterAveragingRound.Start> start = sc.broadcast(new ParameterAveragingRound.Start(
        graph.params().dup(), state == null ? null : state.dup(), from, to));
    try {
      List<WorkerUpdate> updates = run.examples.mapPartitionsWithIndex(
          new ParameterAveragingRound(run.spec, start), true).collect();
      WorkerUpdate mean = WorkerUpdate.mean(updates);
      graph.setParams(mean.params());
      if (state != null) {
        graph.getUpdater(true).setStateViewArray(mean.updaterState());
      }
      graph.getConfiguration().setIterationCount(Math.toIntExact(to));
      graph.getConfiguration().setEpochCount(Math.toIntExact(to / run.stepsPerEpoch));
      return mean.losses();
    } finally {
      start.destroy();
    }
  }

  /**
   * Gradient sharing: the driver's graph applies the workers' mean gradient through its own
   * updater, as DL4J's {@code StochasticGradientDescent} applies a local one.
   */
  private final class DriverUpdater {
    private final ComputationGraph graph;
    private final Run run;
    private final Gradient gradient;

    DriverUpdater(ComputationGraph graph, Run run) {
      this.graph = graph;
      this.run = run;
      // one backward pass on the driver lays out the Gradient's per-variable views of the
      // flattened gradient; its values are overwritten before every update
      MultiDataSet probe = run.task.prepare(
          org.nd4j.linalg.factory.Nd4j.stack(0, run.examples.take(config.batchSize()).toArray(INDArray[]::new)),
          new java.util.SplittableRandom(0));
      graph.setInputs(probe.getFeatures());
      graph.setLabels(probe.getLabels());
      graph.setLayerMaskArrays(probe.getFeaturesMaskArrays(), probe.getLabelsMaskArrays());
      graph.computeGradientAndScore();
      this.gradient = graph.gradient();
      graph.clearLayerMaskArrays();
      graph.clear();
    }

    double[] steps(long from, long to) {
      double[] losses = new double[Math.toIntExact(to - from)];
      for (long s = from; s < to; s++) {
        Broadcast<GradientStep.Start> start = sc.broadcast(new GradientStep.Start(graph.params().dup(), s));
        try {
          WorkerUpdate mean = WorkerUpdate.mean(run.examples.mapPartitionsWithIndex(
              new GradientStep(run.spec, start), true).collect());
          int epoch = Math.toIntExact(s / run.stepsPerEpoch);
          graph.getConfiguration().setEpochCount(epoch);
          graph.getFlattenedGradients().assign(mean.params());
          graph.getUpdater(true).update(gradient, Math.toIntExact(s), epoch, config.batchSize(),
              LayerWorkspaceMgr.noWorkspaces());
          INDArray params = graph.params(); // a rank-1 view of the parameters
          params.subi(graph.getFlattenedGradients().reshape(params.length()));
          graph.getConfiguration().setIterationCount(Math.toIntExact(s + 1));
          graph.applyConstraints(Math.toIntExact(s), epoch);
          losses[Math.toIntExact(s - from)] = mean.losses()[0];
        } finally {
          start.destroy();
        }
      }
      return losses;
    }
  }

  private String writeCheckpoint(Run run, ComputationGraph graph, long step, List<LossRecord> history,
      double seconds) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try {
      ModelSerializer.writeModel(graph, bos, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not serialise the model of step " + step + ": " + e.getMessage(), e);
    }
    ObjectNode state = HadoopCheckpoints.JSON.createObjectNode();
    state.put("format", FORMAT);
    state.put("taskId", run.task.id());
    state.put("fingerprint", run.fingerprint);
    state.put("seed", config.seed());
    state.put("workers", run.sizes.size());
    state.put("mode", training.mode().name());
    state.put("globalStep", step);
    state.put("elapsedSeconds", seconds);
    ArrayNode h = state.putArray("lossHistory");
    for (LossRecord r : history) {
      h.addObject().put("step", r.step()).put("epoch", r.epoch()).put("loss", r.loss())
          .put("learningRate", r.learningRate()).put("seconds", r.seconds());
    }
    return run.checkpoints.write(step, bos.toByteArray(), state, training.keepLastCheckpoints());
  }

  private double learningRate(long iteration, int epoch) {
    IUpdater u = config.effectiveUpdater();
    return u.hasLearningRate() ? u.getLearningRate(Math.toIntExact(iteration), epoch) : Double.NaN;
  }

  private ModelMetadata metadata(Run run, long steps) {
    return new ModelMetadata(run.task.id(), run.task.config(), run.encoder.describe(),
        run.encoder.inputType().toString(), run.encoder.blockOutputs(), run.encoder.representationSize(),
        config.seed(), steps, Versions.ssl4j(), Versions.dl4j(), Instant.now().toString());
  }

  private static List<FileStatus> listQuietly(HadoopCheckpoints checkpoints) {
    try {
      return checkpoints.list();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list the checkpoints in " + checkpoints.dir() + ": " + e.getMessage(), e);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
