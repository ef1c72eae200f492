package io.github.ssl4j.tasks.contrastive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class InfoNceLossTest {

  private static final String LOSS = "loss/infonce";

  /** One loss graph per temperature, built once (building SameDiff graphs is the slow part). */
  private static final Map<Double, SameDiff> GRAPHS = new java.util.HashMap<>();

  /** The loss graph evaluated on its own in double precision; returns the mean over rows. */
  private static double sameDiffLoss(double[][] x, INDArray labels, double temperature) {
    SameDiff sd =
        GRAPHS.computeIfAbsent(
            temperature,
            t -> {
              SameDiff g = SameDiff.create();
              SDVariable in = g.placeHolder("input", DataType.DOUBLE, -1, -1);
              SDVariable lab = g.placeHolder("labels", DataType.DOUBLE, -1, 1);
              InfoNceLoss.withTemperature(t).defineLayer(g, in, lab, Map.of()).rename("loss");
              return g;
            });
    INDArray sum =
        sd.outputSingle(
            Map.of("input", Nd4j.createFromArray(x), "labels", labels.castTo(DataType.DOUBLE)),
            "loss");
    return sum.getDouble(0) / x.length;
  }

  /** Naive NT-Xent, rows i and i+N paired, straight from the definition in plain doubles. */
  private static double reference(double[][] x, double temperature) {
    int rows = x.length;
    int n = rows / 2;
    double[][] z = new double[rows][];
    for (int i = 0; i < rows; i++) {
      double sq = 0;
      for (double v : x[i]) {
        sq += v * v;
      }
      double norm = Math.sqrt(sq + InfoNceLoss.NORM_EPSILON);
      z[i] = new double[x[i].length];
      for (int k = 0; k < x[i].length; k++) {
        z[i][k] = x[i][k] / norm;
      }
    }
    double total = 0;
    for (int i = 0; i < rows; i++) {
      int positive = (i + n) % rows;
      double denominator = 0;
      double positiveLogit = 0;
      for (int j = 0; j < rows; j++) {
        if (j == i) {
          continue;
        }
        double dot = 0;
        for (int k = 0; k < z[i].length; k++) {
          dot += z[i][k] * z[j][k];
        }
        double s = dot / temperature;
        denominator += Math.exp(s);
        if (j == positive) {
          positiveLogit = s;
        }
      }
      total += Math.log(denominator) - positiveLogit;
    }
    return total / rows;
  }

  private static double[][] uniform(int rows, int dim, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] x = new double[rows][dim];
    for (double[] row : x) {
      for (int k = 0; k < dim; k++) {
        row[k] = rng.nextDouble(-1, 1);
      }
    }
    return x;
  }

  @Test
  void matchesNaiveReferenceOverBatchSizesDimensionsAndTemperatures() {
    for (int n : new int[] {2, 3, 8, 17}) {
      INDArray labels = InfoNceLoss.viewLabels(n, 2, DataType.DOUBLE);
      for (int dim : new int[] {2, 5, 64}) {
        double[][] x = uniform(2 * n, dim, 31L * n + dim);
        for (double t : new double[] {0.05, 0.1, 0.5, 1.0}) {
          double expected = reference(x, t);
          double actual = sameDiffLoss(x, labels, t);
          assertEquals(expected, actual, 1e-9, "N=" + n + " d=" + dim + " t=" + t);
        }
      }
    }
  }

  /**
   * The runtime layer's closed-form loss and input gradient equal the SameDiff definition's, in
   * double: two and three views, ids in shuffled order, several temperatures.
   */
  @Test
  void closedFormLossAndGradientEqualTheGraphs() {
    for (int views : new int[] {2, 3}) {
      for (double t : new double[] {0.1, 0.5}) {
        int n = 5;
        double[][] x = uniform(views * n, 7, 17L * views);
        double[] ids = new double[views * n];
        for (int r = 0; r < ids.length; r++) {
          ids[r] = (r * 7) % n; // every id views times, not in blocks
        }
        INDArray labels = Nd4j.createFromArray(ids).reshape(ids.length, 1);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.DOUBLE, -1, -1);
        SDVariable lab = sd.placeHolder("labels", DataType.DOUBLE, -1, 1);
        InfoNceLoss.withTemperature(t).defineLayer(sd, in, lab, Map.of()).rename("loss");
        sd.setLossVariables("loss");
        io.github.ssl4j.core.dl4j.SameDiffGradients.create(sd, "input"); // gradients for the placeholder
        Map<String, INDArray> ph = Map.of("input", Nd4j.createFromArray(x), "labels", labels);
        double graphSum = sd.outputSingle(ph, "loss").getDouble(0);
        INDArray graphGradient = sd.calculateGradients(ph, "input").get("input");

        InfoNceLossLayer.Result r = InfoNceLossLayer.lossAndGradient(Nd4j.createFromArray(x), labels, t, true);
        assertEquals(graphSum, r.sum(), 1e-10 * Math.abs(graphSum), "views " + views + " t " + t);
        double error = r.inputGradient().sub(graphGradient).amaxNumber().doubleValue();
        assertTrue(error < 1e-10 * Math.max(1, graphGradient.amaxNumber().doubleValue()),
            "views " + views + " t " + t + ": gradient differs by " + error);
        assertEquals(r.sum(), InfoNceLossLayer.lossAndGradient(Nd4j.createFromArray(x), labels, t, false).sum(), 0.0);
      }
    }
  }

  @Test
  void identicalEmbeddingsGiveLogOfCandidateCount() {
    for (int n : new int[] {2, 3, 8}) {
      double[][] x = new double[2 * n][];
      for (int i = 0; i < x.length; i++) {
        x[i] = new double[] {0.3, -1.2, 2.0};
      }
      double loss = sameDiffLoss(x, InfoNceLoss.viewLabels(n, 2, DataType.DOUBLE), 0.5);
      assertEquals(Math.log(2 * n - 1), loss, 1e-12, "N=" + n);
    }
  }

  @Test
  void symmetricInTheTwoViews() {
    int n = 5;
    double[][] x = uniform(2 * n, 4, 7);
    double[][] swapped = new double[2 * n][];
    for (int i = 0; i < n; i++) {
      swapped[i] = x[i + n];
      swapped[i + n] = x[i];
    }
    INDArray labels = InfoNceLoss.viewLabels(n, 2, DataType.DOUBLE);
    assertEquals(sameDiffLoss(x, labels, 0.2), sameDiffLoss(swapped, labels, 0.2), 1e-12);
  }

  @Test
  void labelsMakeTheLossIndependentOfRowOrder() {
    int n = 4;
    double[][] x = uniform(2 * n, 3, 11);
    INDArray labels = InfoNceLoss.viewLabels(n, 2, DataType.DOUBLE);
    int[] perm = {5, 0, 7, 2, 1, 6, 3, 4};
    double[][] shuffled = new double[2 * n][];
    double[] shuffledIds = new double[2 * n];
    for (int r = 0; r < perm.length; r++) {
      shuffled[r] = x[perm[r]];
      shuffledIds[r] = labels.getDouble(perm[r], 0);
    }
    INDArray shuffledLabels = Nd4j.createFromArray(shuffledIds).reshape(2 * n, 1);
    assertEquals(sameDiffLoss(x, labels, 0.5), sameDiffLoss(shuffled, shuffledLabels, 0.5), 1e-12);
  }

  private static ComputationGraph tinyGraph(double temperature) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(42)
            .dataType(DataType.DOUBLE)
            .updater(new NoOp())
            .graphBuilder()
            .addInputs("input")
            .setInputTypes(InputType.feedForward(3))
            .addLayer(
                "head/proj1",
                new DenseLayer.Builder().nOut(2).activation(Activation.TANH).build(),
                "input")
            .addLayer(LOSS, InfoNceLoss.withTemperature(temperature), "head/proj1")
            .setOutputs(LOSS)
            .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    return graph;
  }

  @Test
  void gradientCheckAndGraphScoreIsTheMeanLoss() {
    int n = 3;
    ComputationGraph graph = tinyGraph(0.5);
    INDArray x = Nd4j.createFromArray(uniform(2 * n, 3, 3));
    INDArray labels = InfoNceLoss.viewLabels(n, 2, DataType.DOUBLE);

    INDArray projected = graph.feedForward(x, false).get("head/proj1");
    double expected = reference(projected.toDoubleMatrix(), 0.5);
    assertEquals(expected, graph.score(new MultiDataSet(x, labels)), 1e-12);
    assertEquals(projected, graph.outputSingle(x), "the loss layer passes its input through");

    DataType defaultType = Nd4j.dataType();
    DataType defaultFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // GradientCheckUtil insists
    boolean ok;
    try {
      ok =
        GradientCheckUtil.checkGradients(
            new GradientCheckUtil.GraphConfig()
                .net(graph)
                .inputs(new INDArray[] {x})
                .labels(new INDArray[] {labels})
                .epsilon(1e-6)
                .maxRelError(1e-5)
                .minAbsoluteError(1e-10));
    } finally {
      Nd4j.setDefaultDataTypes(defaultType, defaultFloat);
    }
    assertTrue(ok, "gradient check failed");
  }

  @Test
  void rejectsBatchesWithoutNegativesOrPositives() {
    ComputationGraph graph = tinyGraph(0.5);
    // N = 1: two views of one image, no negatives.
    INDArray two = Nd4j.rand(DataType.DOUBLE, 2, 3);
    IllegalArgumentException single =
        assertThrows(
            IllegalArgumentException.class,
            () -> graph.score(new MultiDataSet(two, Nd4j.zeros(DataType.DOUBLE, 2, 1))));
    assertTrue(single.getMessage().contains("at least 2 distinct images"), single.getMessage());
    assertThrows(IllegalArgumentException.class, () -> InfoNceLoss.viewLabels(1, 2, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> InfoNceLoss.viewLabels(4, 1, DataType.FLOAT));

    // Odd row count: one view missing, so one row has no positive.
    INDArray five = Nd4j.rand(DataType.DOUBLE, 5, 3);
    INDArray oddLabels = Nd4j.createFromArray(new double[][] {{0}, {1}, {2}, {0}, {1}});
    IllegalArgumentException odd =
        assertThrows(
            IllegalArgumentException.class,
            () -> graph.fit(new MultiDataSet(five, oddLabels)));
    assertTrue(odd.getMessage().contains("row 2 (image id 2.0) has no positive"), odd.getMessage());

    // Label rows not matching embedding rows.
    IllegalArgumentException mismatch =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                graph.score(
                    new MultiDataSet(five, InfoNceLoss.viewLabels(2, 2, DataType.DOUBLE))));
    assertTrue(mismatch.getMessage().contains("must have shape [5, 1]"), mismatch.getMessage());
  }

  @Test
  void rejectsNonPositiveTemperatureWhenBuilt() {
    for (double t : new double[] {0.0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> InfoNceLoss.withTemperature(t));
      assertTrue(e.getMessage().contains("temperature must be finite and > 0"), e.getMessage());
    }
    assertEquals(0.5, InfoNceLoss.withDefaults().temperature());
  }

  @Test
  void rejectsNonVectorInputWhenTheGraphIsBuilt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NeuralNetConfiguration.Builder()
                    .graphBuilder()
                    .addInputs("input")
                    .setInputTypes(InputType.convolutional(4, 4, 1))
                    .addLayer(LOSS, InfoNceLoss.withDefaults(), "input")
                    .setOutputs(LOSS)
                    .build());
    assertTrue(e.getMessage().contains("needs feed-forward embeddings"), e.getMessage());
  }

  @Test
  void survivesModelSerializerRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    ComputationGraph graph = tinyGraph(0.2);
    java.io.File file = dir.resolve("model.zip").toFile();
    org.deeplearning4j.util.ModelSerializer.writeModel(graph, file, true);
    ComputationGraph restored =
        org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(file, true);
    MultiDataSet batch =
        new MultiDataSet(
            Nd4j.createFromArray(uniform(6, 3, 8)), InfoNceLoss.viewLabels(3, 2, DataType.DOUBLE));
    assertEquals(graph.score(batch), restored.score(batch), 1e-15);
  }

  @Test
  void survivesJsonRoundTrip() {
    ComputationGraph graph = tinyGraph(0.1);
    ComputationGraphConfiguration conf = graph.getConfiguration();
    String json = conf.toJson();
    ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);
    assertEquals(conf, restored);
    InfoNceLoss loss =
        (InfoNceLoss)
            ((org.deeplearning4j.nn.conf.graph.LayerVertex) restored.getVertices().get(LOSS))
                .getLayerConf()
                .getLayer();
    assertEquals(0.1, loss.temperature());

    ComputationGraph copy = new ComputationGraph(restored);
    copy.init(graph.params().dup(), false);
    INDArray x = Nd4j.createFromArray(uniform(4, 3, 5));
    MultiDataSet batch = new MultiDataSet(x, InfoNceLoss.viewLabels(2, 2, DataType.DOUBLE));
    assertEquals(graph.score(batch), copy.score(batch), 1e-15);
  }

  @Test
  void trainsInFloatAtTheW1BatchSize() {
    int n = 256;
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(7)
            .dataType(DataType.FLOAT)
            .updater(new org.nd4j.linalg.learning.config.Adam(1e-2))
            .graphBuilder()
            .addInputs("input")
            .setInputTypes(InputType.feedForward(32))
            .addLayer("head/proj1", new DenseLayer.Builder().nOut(16).build(), "input")
            .addLayer(LOSS, InfoNceLoss.withDefaults(), "head/proj1")
            .setOutputs(LOSS)
            .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    INDArray images = Nd4j.randn(DataType.FLOAT, n, 32);
    INDArray views =
        Nd4j.concat(0, images, images.add(Nd4j.randn(DataType.FLOAT, n, 32).mul(0.05)));
    MultiDataSet batch = new MultiDataSet(views, InfoNceLoss.viewLabels(n, 2, DataType.FLOAT));
    double before = graph.score(batch);
    assertTrue(before > 0 && before < Math.log(2 * n - 1), "" + before);
    for (int i = 0; i < 5; i++) {
      graph.fit(batch);
    }
    double after = graph.score(batch);
    assertTrue(Double.isFinite(after) && after < before, before + " -> " + after);
  }

  @Test
  void floatLabelsWorkInADoubleGraph() {
    ComputationGraph graph = tinyGraph(0.5);
    INDArray x = Nd4j.createFromArray(uniform(6, 3, 9));
    double a = graph.score(new MultiDataSet(x, InfoNceLoss.viewLabels(3, 2, DataType.DOUBLE)));
    double b = graph.score(new MultiDataSet(x, InfoNceLoss.viewLabels(3, 2, DataType.FLOAT)));
    assertEquals(a, b, 1e-15);
  }

  @Test
  void floatLabelsWorkInADoubleGraphWhenTrainingWithWorkspaces() {
    // the labels are cast to the graph's type during backprop, inside a workspace; the score
    // computed after backprop must not read that (by then invalid) array
    ComputationGraph graph = tinyGraph(0.5);
    INDArray x = Nd4j.createFromArray(uniform(6, 3, 11));
    INDArray floatLabels = InfoNceLoss.viewLabels(3, 2, DataType.FLOAT);
    INDArray doubleLabels = InfoNceLoss.viewLabels(3, 2, DataType.DOUBLE);
    graph.setInputs(x);
    graph.setLabels(doubleLabels);
    graph.computeGradientAndScore();
    double expected = graph.score();
    INDArray expectedGradient = graph.gradient().gradient().dup();
    graph.setInputs(x);
    graph.setLabels(floatLabels);
    graph.computeGradientAndScore();
    assertEquals(expected, graph.score(), 1e-15);
    assertEquals(expectedGradient, graph.gradient().gradient());
    graph.fit(new MultiDataSet(x, floatLabels)); // the same path inside fit
    assertTrue(Double.isFinite(graph.score()));
  }
}
