package io.github.ssl4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.dl4j.OneDnnLayouts;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks that a graph with one of ssl4j's layers computes what the same graph with DL4J's stock
 * layer computes, for layer tests.
 */
public final class GraphEquivalence {
  private GraphEquivalence() {}

  /**
   * Same score, gradient (all parameters, so also the input gradient of the layer under test when
   * a layer with parameters sits below it; relative norm error) and inference output, within
   * {@code tolerance}, for one input and label batch. The graphs must hold the same parameters.
   *
   * @param trainingStep whether the gradients are computed inside a training step ({@link
   *     OneDnnLayouts#during}), where layers may pass arrays in oneDNN's layouts
   * @param what names the case in failure messages
   */
  public static void assertSameScoreAndGradients(ComputationGraph stock, ComputationGraph candidate, INDArray x,
      INDArray y, double tolerance, boolean trainingStep, String what) {
    for (ComputationGraph g : new ComputationGraph[] {stock, candidate}) {
      g.setInputs(x);
      g.setLabels(y);
      if (trainingStep) {
        OneDnnLayouts.during(g::computeGradientAndScore);
      } else {
        g.computeGradientAndScore();
      }
    }
    assertEquals(stock.score(), candidate.score(), tolerance * Math.abs(stock.score()), what + ": score");
    INDArray expected = stock.gradient().gradient();
    INDArray actual = candidate.gradient().gradient();
    assertNotEquals(0.0, expected.norm2Number().doubleValue(), what + ": a zero gradient tests nothing");
    double error = actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    assertTrue(error < tolerance, what + ": relative gradient error " + error);
    assertEquals(0.0, stock.outputSingle(x).sub(candidate.outputSingle(x)).amaxNumber().doubleValue(),
        tolerance, what + ": inference output");
  }

  /**
   * Five Adam steps of both graphs (same parameters at the start) on the same random float batches
   * of {@code rows} × {@code inputs} inputs and {@code rows} × {@code outputs} labels, each step inside
   * a training step ({@link OneDnnLayouts#during}); the parameters must then agree within relative
   * norm error {@code tolerance}.
   */
  public static void assertTrainsAlike(ComputationGraph stock, ComputationGraph candidate, int rows, int inputs,
      int outputs, double tolerance) {
    for (int step = 0; step < 5; step++) {
      Nd4j.getRandom().setSeed(40 + step);
      INDArray x = Nd4j.rand(DataType.FLOAT, rows, inputs);
      INDArray y = Nd4j.rand(DataType.FLOAT, rows, outputs);
      OneDnnLayouts.during(() -> stock.fit(new INDArray[] {x}, new INDArray[] {y}));
      OneDnnLayouts.during(() -> candidate.fit(new INDArray[] {x}, new INDArray[] {y}));
    }
    double error = candidate.params().sub(stock.params()).norm2Number().doubleValue()
        / stock.params().norm2Number().doubleValue();
    assertTrue(error < tolerance, "parameters after five Adam steps differ by " + error);
  }
}
