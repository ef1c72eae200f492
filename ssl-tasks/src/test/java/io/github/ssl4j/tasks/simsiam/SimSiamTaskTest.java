package io.github.ssl4j.tasks.simsiam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.layers.StopGradient;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.twoview.LossChecks;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/** Contract plus SimSiam-specific tests on 8x8x1 images, a tiny conv encoder and tiny heads. */
class SimSiamTaskTest extends PretextTaskContract {

  static SimSiamTask tiny() {
    return SimSiamTask.builder()
        .views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .projector(ProjectionHead.builder(6, 4).batchNorm(true).outputBatchNorm(true).build())
        .predictor(ProjectionHead.builder(3, 4).name("pred").batchNorm(true).build())
        .build();
  }

  @Override
  protected PretextTask task() {
    return tiny();
  }

  @Override
  protected Encoder encoder() {
    return TestData.tinyConv(8, 8, 1, 4);
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return TestData.tinyMlp(64, 3);
  }

  @Override
  protected INDArray examples(int n, long seed) {
    // uniform noise images, each dimmed by its own factor so their pooled features differ
    INDArray x = TestData.images(n, 1, 8, 8, seed);
    for (int i = 0; i < n; i++) {
      x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).muli((i + 1.0) / n);
    }
    return x;
  }

  /**
   * The stop-gradient makes the backward pass differ from finite differences of the whole graph by
   * design; {@link #stopGradientGraphHasTheGradientOfTheLossWithFixedTargets} checks it instead.
   */
  @Override
  protected boolean gradientCheckable() {
    return false;
  }

  /**
   * -1: the loss must fall to minus its initial value. It lies in [-1, 1]; on the contract's batch
   * it starts positive ({@link #contractBatchStartsWithPositiveLoss}), where the default "at most
   * half the initial loss" would ask for little and a ratio above 1 for nothing.
   */
  @Override
  protected double overfitLossRatio() {
    return -1;
  }

  @Test
  void contractBatchStartsWithPositiveLoss() {
    ComputationGraph net = new ComputationGraph(configuration(new org.nd4j.linalg.learning.config.Adam(1e-2),
        DataType.FLOAT));
    net.init();
    double initial = net.score(task().prepare(examples(batchSize(), 11), rng(11)));
    assertTrue(initial > 0.2, "initial loss " + initial);
  }

  @Override
  protected double learningRate() {
    return 0.05; // larger steps, so the check meets its target after a few steps
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("SimSiam", "needs an encoder with convolutional input");
  }

  /**
   * x → A → z, z → B → p, z → StopGradient → t, [p | t] → loss has the parameter gradients of the
   * same graph whose targets t are a constant input holding A(x); that graph passes the finite-
   * difference check.
   */
  @Test
  void stopGradientGraphHasTheGradientOfTheLossWithFixedTargets() {
    DataType defaultType = Nd4j.dataType();
    DataType defaultFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      INDArray x = Nd4j.createFromArray(LossChecks.uniform(6, 3, 21));
      INDArray labels = LossChecks.labels(3);
      ComputationGraph stopped = new ComputationGraph(siamese(false));
      stopped.init();
      INDArray targets = stopped.feedForward(x, false).get("head/z");
      ComputationGraph fixed = new ComputationGraph(siamese(true));
      fixed.init(stopped.params().dup(), true);

      stopped.setInputs(x);
      stopped.setLabels(labels);
      stopped.computeGradientAndScore();
      fixed.setInputs(x, targets);
      fixed.setLabels(labels);
      fixed.computeGradientAndScore();
      assertEquals(fixed.score(), stopped.score(), 1e-14);
      INDArray g = stopped.gradient().gradient();
      assertTrue(g.getDouble(0) != 0 || g.amaxNumber().doubleValue() > 0, "the projector receives gradient");
      assertEquals(fixed.gradient().gradient(), g);
      assertTrue(org.deeplearning4j.gradientcheck.GradientCheckUtil.checkGradients(
          new org.deeplearning4j.gradientcheck.GradientCheckUtil.GraphConfig()
              .net(fixed).inputs(new INDArray[] {x, targets}).labels(new INDArray[] {labels})
              .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-10)));
      // and without the stop-gradient the gradients differ (the check can fail)
      ComputationGraph unstopped = new ComputationGraph(siamese(false, false));
      unstopped.init(stopped.params().dup(), true);
      unstopped.setInputs(x);
      unstopped.setLabels(labels);
      unstopped.computeGradientAndScore();
      assertTrue(unstopped.gradient().gradient().sub(g).amaxNumber().doubleValue() > 1e-6);
    } finally {
      Nd4j.setDefaultDataTypes(defaultType, defaultFloat);
    }
  }

  private static ComputationGraphConfiguration siamese(boolean targetsAsInput) {
    return siamese(targetsAsInput, true);
  }

  private static ComputationGraphConfiguration siamese(boolean targetsAsInput, boolean stopGradient) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(3).dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder();
    if (targetsAsInput) {
      g.addInputs("input", "targets").setInputTypes(InputType.feedForward(3), InputType.feedForward(4));
    } else {
      g.addInputs("input").setInputTypes(InputType.feedForward(3));
    }
    g.addLayer("head/z", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "input");
    g.addLayer("head/p", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "head/z");
    String target = targetsAsInput ? "targets" : "head/t";
    if (!targetsAsInput) {
      if (stopGradient) {
        g.addVertex("head/t", new StopGradient(), "head/z");
      } else {
        g.addVertex("head/t", new org.deeplearning4j.nn.conf.graph.ScaleVertex(1.0), "head/z");
      }
    }
    g.addVertex("head/pair", new MergeVertex(), "head/p", target);
    g.addLayer("loss/x", new LossLayer.Builder(new NegativeCosineLoss()).activation(Activation.IDENTITY).build(),
        "head/pair");
    return g.setOutputs("loss/x").build();
  }

  @Test
  void scoreIsTheNegativeCosineOfPredictionsAgainstTheOtherViewsProjections() {
    ComputationGraph net = new ComputationGraph(configuration(new NoOp(), DataType.DOUBLE));
    net.init();
    var batch = tiny().prepare(examples(4, 2), TestData.rng(2));
    INDArray x = batch.getFeatures(0).castTo(DataType.DOUBLE);
    var acts = net.feedForward(new INDArray[] {x}, true, false);
    INDArray pair = acts.get(SimSiamTask.PAIR_VERTEX);
    assertEquals(acts.get("head/pred2"), pair.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)));
    assertEquals(acts.get("head/proj2-bn"), pair.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 8)));
    double expected = NegativeCosineLossTest.reference(pair.toDoubleMatrix());
    net.setInputs(x);
    net.setLabels(batch.getLabels(0).castTo(DataType.DOUBLE));
    net.computeGradientAndScore();
    assertEquals(expected, net.score(), 1e-12);
    assertTrue(expected >= -1 && expected <= 1);
  }

  @Test
  void configDefaultsAndValidation() {
    SimSiamTask t = SimSiamTask.simsiam();
    assertEquals("simsiam", t.config().get("id"));
    assertEquals(List.of(512, 512), t.projector().config().get("widths"));
    assertEquals(List.of(128, 512), t.predictor().config().get("widths"));
    assertTrue(t.chanceLoss(8).isEmpty());
    List<String> names = t.pretextVertexNames();
    assertEquals(SimSiamTask.LOSS_VERTEX, names.get(names.size() - 1));
    assertTrue(names.containsAll(List.of("head/proj1", "head/proj1-bn", "head/proj2", "head/proj2-bn",
        "head/pred1", "head/pred1-bn", "head/pred2", SimSiamTask.TARGET_VERTEX, SimSiamTask.PAIR_VERTEX)));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SimSiamTask.builder().predictor(ProjectionHead.builder(8, 16).name("pred").build()).build())
        .getMessage().contains("must output the projector's width 512, got 16"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SimSiamTask.builder().predictor(ProjectionHead.builder(8, 512).build()).build())
        .getMessage().contains("both named 'proj'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SimSiamTask.builder().views(MultiViewTransform.of(new GaussianNoise(0.1), 3)))
        .getMessage().contains("exactly 2 views"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> tiny().prepare(examples(1, 1), TestData.rng(1))).getMessage().contains("at least 2 images"));
  }
}
