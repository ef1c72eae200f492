package io.github.ssl4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.tasks.DenoisingAutoencoderTask;
import java.util.Map;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.opentest4j.AssertionFailedError;

/** The contract catches broken tasks (only the cheap checks; no training here). */
class PretextTaskContractSelfTest {
  private static final int D = 6;
  private static final PretextTask GOOD =
      DenoisingAutoencoderTask.builder(DenoisingAutoencoderTask.Noise.gaussian(0.1)).build();

  /** Contract over a task that delegates to a working one except where a test breaks it. */
  private static class Harness extends PretextTaskContract {
    private final PretextTask task;

    Harness(PretextTask task) {
      this.task = task;
    }

    @Override
    protected PretextTask task() {
      return task;
    }

    @Override
    protected Encoder encoder() {
      return TestData.tinyMlp(D, 3);
    }

    @Override
    protected Encoder incompatibleEncoder() {
      return TestData.tinyConv(4, 4, 1, 2);
    }

    @Override
    protected INDArray examples(int n, long seed) {
      return TestData.blobs(n, D, seed);
    }
  }

  /** Delegates everything to {@link #GOOD}. */
  private static class Delegating implements PretextTask {
    @Override
    public String id() {
      return "broken";
    }

    @Override
    public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
      GOOD.buildGraph(graph, encoder);
    }

    @Override
    public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
      return GOOD.prepare(examples, rng);
    }

    @Override
    public Map<String, Object> config() {
      return Map.of();
    }
  }

  @Test
  void catchesAVertexOutsideTheNamingScheme() {
    PretextTask task =
        new Delegating() {
          @Override
          public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
            graph.addInputs("input").setInputTypes(encoder.inputType());
            String out = encoder.addTo(graph, "input");
            graph.addLayer("tanh", new ActivationLayer(Activation.TANH), out);
            graph.addLayer(
                "loss/x",
                new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder()
                    .nIn(3)
                    .nOut(D)
                    .activation(Activation.IDENTITY)
                    .lossFunction(org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE)
                    .build(),
                "tanh");
            graph.setOutputs("loss/x");
          }
        };
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class,
            () -> new Harness(task).graphBuildsAndInitialisesWithNamedVertices());
    assertTrue(e.getMessage().contains("vertex \"tanh\""), e.getMessage());
  }

  @Test
  void catchesRandomnessNotFromTheGenerator() {
    Random global = new Random(1);
    PretextTask task =
        new Delegating() {
          @Override
          public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
            return GOOD.prepare(examples, global);
          }
        };
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class, () -> new Harness(task).prepareIsDeterministicForASeed());
    assertTrue(e.getMessage().contains("different features"), e.getMessage());
  }

  @Test
  void catchesRandomnessIgnored() {
    PretextTask task =
        new Delegating() {
          @Override
          public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
            return GOOD.prepare(examples, TestData.rng(0));
          }
        };
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class, () -> new Harness(task).prepareIsDeterministicForASeed());
    assertTrue(e.getMessage().contains("identical batches"), e.getMessage());
  }

  @Test
  void catchesAnIncompatibleEncoderAccepted() {
    PretextTask task =
        new Delegating() {
          @Override
          public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
            graph.addInputs("input").setInputTypes(encoder.inputType());
            graph.setOutputs(encoder.addTo(graph, "input"));
          }
        };
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class, () -> new Harness(task).incompatibleEncoderIsRejected());
    assertTrue(e.getMessage().contains("accepted the incompatible encoder"), e.getMessage());
  }

  @Test
  void catchesPrepareModifyingItsInput() {
    PretextTask task =
        new Delegating() {
          @Override
          public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
            MultiDataSet out = GOOD.prepare(examples, rng);
            examples.muli(2);
            return out;
          }
        };
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class, () -> new Harness(task).prepareLeavesExamplesUntouched());
    assertTrue(e.getMessage().contains("modified the examples"), e.getMessage());
  }

  @Test
  void catchesTheWrongNumberOfLabelArrays() {
    PretextTask task =
        new Delegating() {
          @Override
          public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
            MultiDataSet out = GOOD.prepare(examples, rng);
            return new org.nd4j.linalg.dataset.MultiDataSet(
                out.getFeatures(), new INDArray[] {out.getLabels(0), out.getLabels(0)});
          }
        };
    AssertionFailedError e =
        assertThrows(AssertionFailedError.class, () -> new Harness(task).preparedBatchFitsTheGraph());
    assertTrue(e.getMessage().contains("2 label arrays, the graph has 1 outputs"), e.getMessage());
  }
}
