package io.github.ssl4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.MethodState;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.StatefulPretextTask;
import io.github.ssl4j.core.VertexNames;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The contract every {@link PretextTask} passes. A task's test extends this class and supplies the
 * four abstract hooks; the optional hooks tune sizes and tolerances.
 *
 * <pre>{@code
 * class MyTaskTest extends PretextTaskContract {
 *   protected PretextTask task() { return MyTask.builder().build(); }
 *   protected Encoder encoder() { return TestData.tinyMlp(8, 4); }
 *   protected Encoder incompatibleEncoder() { return TestData.tinyConv(4, 4, 1, 2); }
 *   protected INDArray examples(int n, long seed) { return TestData.blobs(n, 8, seed); }
 * }
 * }</pre>
 *
 * <p>Checks: the graph builds with stably named vertices, its configuration survives DL4J's JSON
 * round trip, gradients match finite differences in double precision, one fixed batch overfits,
 * {@code prepare} is deterministic for a seed and leaves its input untouched, an incompatible
 * encoder is rejected early, and prepared batches fit the graph's inputs and outputs.
 *
 * <p>A {@link StatefulPretextTask}'s prepared batches go through {@link MethodState#beforeStep} of
 * a state created for the graph under test before they are fitted or scored (the gradient check
 * sees the teacher's targets as fixed labels); such a task is also checked to continue exactly
 * from its state's arrays ({@code methodStateContinuesExactlyFromItsArrays}) and to reject arrays
 * of the wrong shape.
 */
public abstract class PretextTaskContract {

  // ---- hooks -------------------------------------------------------------------------------

  /** The task under test (configured small). */
  protected abstract PretextTask task();

  /** A tiny, dropout-free encoder the task accepts; smooth activations for the gradient check. */
  protected abstract Encoder encoder();

  /** An encoder the task must reject in {@code buildGraph}. */
  protected abstract Encoder incompatibleEncoder();

  /**
   * A tiny unlabelled batch as a data source would deliver it; a pure function of (n, seed).
   *
   * @return shape [n, ...]
   */
  protected abstract INDArray examples(int n, long seed);

  /** The generator passed to {@code prepare}; default {@link TestData#rng(long)}. */
  protected RandomGenerator rng(long seed) {
    return TestData.rng(seed);
  }

  /** Batch size for most checks; default 8. */
  protected int batchSize() {
    return 8;
  }

  /** Batch size for the gradient check; default 4. */
  protected int gradientCheckBatchSize() {
    return 4;
  }

  /** Seed for network initialisation; default 42. */
  protected long seed() {
    return 42;
  }

  /** Maximum optimiser steps in the overfitting check (it stops once the loss target is met); 100. */
  protected int overfitSteps() {
    return 100;
  }

  /** Adam learning rate in the overfitting check; default 1e-2. */
  protected double learningRate() {
    return 1e-2;
  }

  /** Loss after {@link #overfitSteps()} must be at most this fraction of the initial loss; 0.5. */
  protected double overfitLossRatio() {
    return 0.5;
  }

  /**
   * Whether the loss can be gradient-checked at all (false e.g. for a loss that is not
   * differentiable where the masks cut it); default true. Say why in the overriding test.
   */
  protected boolean gradientCheckable() {
    return true;
  }

  /** Finite-difference step; default 1e-6. */
  protected double gradientCheckEpsilon() {
    return 1e-6;
  }

  /** Maximum relative error; default 1e-3. */
  protected double gradientCheckMaxRelError() {
    return 1e-3;
  }

  /** Absolute errors below this never fail the check; default 1e-8. */
  protected double gradientCheckMinAbsError() {
    return 1e-8;
  }

  /**
   * Parameters ("vertex_paramKey", e.g. "encoder/dense1_W") excluded from the check; none. Note that
   * DL4J M2.1's graph gradient check ignores {@code subset}/{@code maxPerParam} and checks every
   * parameter entry (two forward passes each), so keep the task's graph tiny or exclude large
   * parameters here.
   */
  protected Set<String> gradientCheckExcludedParams() {
    return Set.of();
  }

  /** Whether {@code prepare} draws from the generator at all; default true. */
  protected boolean preparesRandomly() {
    return true;
  }

  /**
   * Fragments the rejection message for {@link #incompatibleEncoder()} must contain, e.g. what the
   * task expected ("feed-forward"); default none (the message must only be non-blank).
   */
  protected List<String> rejectionMessageMentions() {
    return List.of();
  }

  /**
   * The configuration as the trainer would build it: {@code
   * NeuralNetConfiguration.Builder().seed(..).updater(..).dataType(..).graphBuilder()}, then {@code
   * task.buildGraph}, then {@code build()}.
   */
  protected ComputationGraphConfiguration configuration(IUpdater updater, DataType dataType) {
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder()
            .seed(seed())
            .updater(updater)
            .dataType(dataType)
            .graphBuilder();
    task().buildGraph(gb, encoder());
    return gb.build();
  }

  // ---- tests -------------------------------------------------------------------------------

  @Test
  void graphBuildsAndInitialisesWithNamedVertices() {
    ComputationGraphConfiguration conf;
    try {
      conf = configuration(new Adam(learningRate()), DataType.FLOAT);
    } catch (RuntimeException e) {
      throw new AssertionError(
          task().id() + ": buildGraph with a compatible encoder " + encoder().describe()
              + " failed: " + e, e);
    }
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    assertTrue(net.numParams() > 0, task().id() + ": the initialised graph has no parameters");

    List<String> inputs = conf.getNetworkInputs();
    assertTrue(
        inputs.contains(VertexNames.INPUT),
        task().id() + ": graph inputs " + inputs + " must include \"" + VertexNames.INPUT + "\"");
    List<String> prefixes =
        List.of(VertexNames.ENCODER, VertexNames.DECODER, VertexNames.HEAD, VertexNames.LOSS);
    for (String vertex : conf.getVertices().keySet()) {
      boolean named = inputs.contains(vertex) || prefixes.stream().anyMatch(vertex::startsWith);
      assertTrue(
          named,
          task().id() + ": vertex \"" + vertex + "\" is neither a graph input nor named with one of "
              + prefixes + "; name it through VertexNames");
    }
    for (String block : encoder().blockOutputs()) {
      assertTrue(
          conf.getVertices().containsKey(block),
          task().id() + ": encoder block output \"" + block + "\" missing from the graph; vertices: "
              + conf.getVertices().keySet());
    }
    task().embeddingVertex().ifPresent(vertex -> assertTrue(conf.getVertices().containsKey(vertex),
        task().id() + ": embeddingVertex() names \"" + vertex + "\", which the graph does not have; vertices: "
            + conf.getVertices().keySet()));
    for (String output : conf.getNetworkOutputs()) {
      assertTrue(
          output.startsWith(VertexNames.LOSS),
          task().id() + ": graph output \"" + output + "\" should be a loss layer named "
              + VertexNames.LOSS + "...");
    }
  }

  @Test
  void configurationSurvivesJsonRoundTrip() {
    ComputationGraphConfiguration conf = configuration(new Adam(learningRate()), DataType.FLOAT);
    String json = conf.toJson();
    ComputationGraphConfiguration back;
    try {
      back = ComputationGraphConfiguration.fromJson(json);
    } catch (RuntimeException e) {
      throw new AssertionError(
          task().id() + ": the configuration does not deserialise from its own JSON (custom layers"
              + " need a no-arg constructor and Jackson-visible fields): " + e, e);
    }
    assertEquals(json, back.toJson(), task().id() + ": toJson -> fromJson -> toJson changed the JSON");
    ComputationGraph net = new ComputationGraph(back);
    net.init();
    ComputationGraph original = new ComputationGraph(conf);
    original.init();
    assertEquals(
        original.numParams(),
        net.numParams(),
        task().id() + ": the deserialised graph initialises with a different parameter count");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    assumeTrue(gradientCheckable(), task().id() + " declares its loss not gradient-checkable");
    DataType oldDefault = Nd4j.dataType();
    DataType oldFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      ComputationGraph net = new ComputationGraph(configuration(new NoOp(), DataType.DOUBLE));
      net.init();
      MultiDataSet batch =
          fittable(net, task().prepare(examples(gradientCheckBatchSize(), 7), rng(7)));
      GradientCheckUtil.GraphConfig gc =
          new GradientCheckUtil.GraphConfig()
              .net(net)
              .inputs(toDouble(batch.getFeatures()))
              .labels(toDouble(batch.getLabels()))
              .inputMask(toDouble(batch.getFeaturesMaskArrays()))
              .labelMask(toDouble(batch.getLabelsMaskArrays()))
              .epsilon(gradientCheckEpsilon())
              .maxRelError(gradientCheckMaxRelError())
              .minAbsoluteError(gradientCheckMinAbsError())
              .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
              .exitOnFirstError(false);
      if (!gradientCheckExcludedParams().isEmpty()) {
        gc.excludeParams(gradientCheckExcludedParams());
      }
      assertTrue(
          GradientCheckUtil.checkGradients(gc),
          task().id() + ": backprop gradients differ from finite differences (max relative error "
              + gradientCheckMaxRelError() + "); the failing parameters are logged above");
    } finally {
      Nd4j.setDefaultDataTypes(oldDefault, oldFloat);
    }
  }

  @Test
  void overfitsOneFixedBatch() {
    ComputationGraph net =
        new ComputationGraph(configuration(new Adam(learningRate()), DataType.FLOAT));
    net.init();
    MultiDataSet batch = fittable(net, task().prepare(examples(batchSize(), 11), rng(11)));
    double initial = net.score(batch);
    assertTrue(Double.isFinite(initial), task().id() + ": initial loss is not finite: " + initial);
    double target = overfitLossRatio() * initial;
    double last = initial;
    for (int i = 1; i <= overfitSteps() && last > target; i++) {
      net.fit(batch);
      if (i % 10 == 0 || i == overfitSteps()) { // stop as soon as the target is met
        last = net.score(batch);
      }
    }
    assertTrue(
        last <= target,
        task().id() + ": loss on one fixed batch went from " + initial + " to " + last + " in "
            + overfitSteps() + " Adam steps (lr " + learningRate() + "), expected at most "
            + overfitLossRatio() + " x initial; gradients may be wrong or the graph disconnected");
  }

  @Test
  void prepareIsDeterministicForASeed() {
    INDArray examples = examples(batchSize(), 3);
    MultiDataSet a = task().prepare(examples, rng(123));
    MultiDataSet b = task().prepare(examples, rng(123));
    assertSameArrays("features", a.getFeatures(), b.getFeatures());
    assertSameArrays("labels", a.getLabels(), b.getLabels());
    assertSameArrays("feature masks", a.getFeaturesMaskArrays(), b.getFeaturesMaskArrays());
    assertSameArrays("label masks", a.getLabelsMaskArrays(), b.getLabelsMaskArrays());
    if (preparesRandomly()) {
      MultiDataSet c = task().prepare(examples, rng(124));
      boolean differs =
          !same(a.getFeatures(), c.getFeatures())
              || !same(a.getLabels(), c.getLabels())
              || !same(a.getFeaturesMaskArrays(), c.getFeaturesMaskArrays())
              || !same(a.getLabelsMaskArrays(), c.getLabelsMaskArrays());
      assertTrue(
          differs,
          task().id() + ": prepare gave identical batches for seeds 123 and 124; it must draw its"
              + " randomness from the generator passed in (override preparesRandomly() if the task"
              + " is deterministic)");
    }
  }

  @Test
  void prepareLeavesExamplesUntouched() {
    INDArray examples = examples(batchSize(), 5);
    INDArray before = examples.dup();
    task().prepare(examples, rng(5));
    assertTrue(
        same(new INDArray[] {before}, new INDArray[] {examples}),
        task().id() + ": prepare modified the examples passed in; work on a copy");
  }

  @Test
  void incompatibleEncoderIsRejected() {
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder().seed(seed()).updater(new Adam(1e-3)).graphBuilder();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> task().buildGraph(gb, incompatibleEncoder()),
            task().id() + ": buildGraph accepted the incompatible encoder "
                + incompatibleEncoder().describe() + "; validate the encoder's types up front");
    String message = e.getMessage();
    assertNotNull(message, task().id() + ": rejection has no message");
    assertFalse(message.isBlank(), task().id() + ": rejection message is blank");
    for (String part : rejectionMessageMentions()) {
      assertTrue(
          message.contains(part),
          task().id() + ": rejection message should mention \"" + part + "\" but was: " + message);
    }
  }

  @Test
  void preparedBatchFitsTheGraph() {
    ComputationGraph net =
        new ComputationGraph(configuration(new Adam(learningRate()), DataType.FLOAT));
    net.init();
    int n = batchSize();
    MultiDataSet batch = fittable(net, task().prepare(examples(n, 9), rng(9)));
    INDArray[] features = batch.getFeatures();
    INDArray[] labels = batch.getLabels();
    assertNotNull(features, task().id() + ": prepare returned no features");
    assertNotNull(labels, task().id() + ": prepare returned no labels");
    assertEquals(
        net.getNumInputArrays(),
        features.length,
        task().id() + ": prepare returned " + features.length + " feature arrays, the graph has "
            + net.getNumInputArrays() + " inputs " + net.getConfiguration().getNetworkInputs());
    assertEquals(
        net.getNumOutputArrays(),
        labels.length,
        task().id() + ": prepare returned " + labels.length + " label arrays, the graph has "
            + net.getNumOutputArrays() + " outputs " + net.getConfiguration().getNetworkOutputs());
    checkMasks("feature", batch.getFeaturesMaskArrays(), features.length);
    checkMasks("label", batch.getLabelsMaskArrays(), labels.length);
    INDArray[] out = net.output(false, features);
    for (int i = 0; i < out.length; i++) {
      assertEquals(
          labels[i].size(0),
          out[i].size(0),
          task().id() + ": output " + i + " has batch size " + out[i].size(0) + " but labels "
              + Arrays.toString(labels[i].shape()));
    }
    assertTrue(
        Double.isFinite(net.score(batch)), task().id() + ": loss on a prepared batch is not finite");
  }

  @Test
  void methodStateContinuesExactlyFromItsArrays() {
    assumeTrue(task() instanceof StatefulPretextTask, task().id() + " keeps no method state");
    StatefulPretextTask stateful = (StatefulPretextTask) task();
    ComputationGraph net =
        new ComputationGraph(configuration(new Adam(learningRate()), DataType.FLOAT));
    net.init();
    MethodState state = stateful.createState(net, seed());
    assertNotNull(state, task().id() + ": createState returned null");
    long total = 4;
    for (long step = 0; step < 2; step++) {
      step(net, state, step, total);
    }
    // a fresh state for a copy of the graph, restored from the arrays, must continue identically
    ComputationGraph copy = net.clone();
    // DL4J's clone copies parameters and updater state but not the counters Adam's bias correction reads
    copy.getConfiguration().setIterationCount(net.getConfiguration().getIterationCount());
    copy.getConfiguration().setEpochCount(net.getConfiguration().getEpochCount());
    MethodState restored = stateful.createState(copy, seed() + 1);
    restored.restore(copies(state.arrays()));
    for (long step = 2; step < total; step++) {
      step(net, state, step, total);
      step(copy, restored, step, total);
    }
    assertTrue(
        same(new INDArray[] {net.params()}, new INDArray[] {copy.params()}),
        task().id() + ": a graph whose state was restored from MethodState.arrays() trained to other"
            + " parameters; every array the state needs must be in arrays()");
    Map<String, INDArray> a = state.arrays();
    Map<String, INDArray> b = restored.arrays();
    assertEquals(a.keySet(), b.keySet(), task().id() + ": restored state names other arrays");
    for (String name : a.keySet()) {
      assertTrue(
          same(new INDArray[] {a.get(name)}, new INDArray[] {b.get(name)}),
          task().id() + ": method state array '" + name + "' differs after restore and two steps");
    }
    for (String name : a.keySet()) {
      Map<String, INDArray> wrong = copies(a);
      wrong.put(name, Nd4j.zeros(a.get(name).dataType(), a.get(name).length() + 1));
      assertThrows(
          IllegalArgumentException.class,
          () -> stateful.createState(net.clone(), seed()).restore(wrong),
          task().id() + ": restore accepted array '" + name + "' of the wrong shape");
      Map<String, INDArray> missing = copies(a);
      missing.remove(name);
      assertThrows(
          IllegalArgumentException.class,
          () -> stateful.createState(net.clone(), seed()).restore(missing),
          task().id() + ": restore accepted arrays without '" + name + "'");
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * {@code batch} as the trainer fits it on {@code net}: through a new method state's {@code
   * beforeStep} (step 0 of 1) for a {@link StatefulPretextTask}, else unchanged.
   */
  protected MultiDataSet fittable(ComputationGraph net, MultiDataSet batch) {
    if (task() instanceof StatefulPretextTask stateful) {
      return stateful.createState(net, seed()).beforeStep(batch, 0, 1);
    }
    return batch;
  }

  private void step(ComputationGraph net, MethodState state, long step, long total) {
    MultiDataSet batch = task().prepare(examples(batchSize(), 100 + step), rng(100 + step));
    Nd4j.getRandom().setSeed(1000 + step);
    net.fit(state.beforeStep(batch, step, total));
    state.afterStep(step, total);
  }

  private static Map<String, INDArray> copies(Map<String, INDArray> arrays) {
    Map<String, INDArray> out = new HashMap<>();
    arrays.forEach((k, v) -> out.put(k, v.dup()));
    return out;
  }

  private void checkMasks(String kind, INDArray[] masks, int arrays) {
    if (masks == null) {
      return;
    }
    assertEquals(
        arrays,
        masks.length,
        task().id() + ": " + masks.length + " " + kind + " mask arrays for " + arrays + " arrays;"
            + " use null entries for arrays without a mask");
  }

  private void assertSameArrays(String what, INDArray[] a, INDArray[] b) {
    if (!same(a, b)) {
      fail(task().id() + ": prepare gave different " + what + " for the same examples and seed;"
          + " every random choice must come from the generator passed in");
    }
  }

  private static boolean same(INDArray[] a, INDArray[] b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (a[i] == null || b[i] == null) {
        if (a[i] != b[i]) {
          return false;
        }
        continue;
      }
      if (!Arrays.equals(a[i].shape(), b[i].shape()) || a[i].dataType() != b[i].dataType()) {
        return false;
      }
      double[] x = a[i].castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double[] y = b[i].castTo(DataType.DOUBLE).dup('c').data().asDouble();
      if (!Arrays.equals(x, y)) {
        return false;
      }
    }
    return true;
  }

  private static INDArray[] toDouble(INDArray[] arrays) {
    if (arrays == null) {
      return null;
    }
    INDArray[] out = new INDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = arrays[i] == null ? null : arrays[i].castTo(DataType.DOUBLE);
    }
    return out;
  }
}
