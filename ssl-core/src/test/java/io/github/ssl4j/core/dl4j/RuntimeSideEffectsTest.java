package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * What ssl4j does to the process it runs in, each in a fresh JVM started with no flags and without
 * {@code GLIBC_TUNABLES}: loading an encoder and embedding changes no system property and never
 * calls the allocator's {@code mallopt}; a training run logs its runtime changes once, at INFO; and
 * a training run with SameDiff layers and a SameDiff loss leaves standard output to the
 * application.
 */
class RuntimeSideEffectsTest {
  private static final String RUNTIME_LOG_LINE = "INFO " + Dl4jRuntime.class.getName() + " - Training runtime:";

  @Test
  void embeddingChangesNothingAndTrainingLogsOnceAndKeepsStdoutClean(@TempDir Path dir) throws Exception {
    Path encoder = dir.resolve("encoder.zip");
    ChildJvm.Streams train = ChildJvm.runSeparately(ChildJvm.testClassPath(), "1g",
        Set.of(MallocAdvice.ENV), 300, TrainMain.class, encoder.toString());
    assertEquals(0, train.exitCode(), train.stdout() + train.stderr());
    assertTrue(Files.isRegularFile(encoder), train.stderr());
    // stdout holds exactly what the application printed: no "Added differentiated op", no ND4J
    // and training ran with the allocator tuned and oneDNN helpers on the encoder's layers
    assertEquals(List.of("RESULT trained twice, mallopt calls 3, helpers [MKLDNNConvHelper,"
            + " OneDnnBatchNormHelper, OneDnnMaxPoolingHelper]"), train.stdout().lines().toList(),
        "stdout of the training run:\n" + train.stdout());
    long runtimeLines = train.stderr().lines().filter(l -> l.contains(RUNTIME_LOG_LINE)).count();
    assertEquals(1, runtimeLines, "the runtime set-up is logged once per process:\n" + train.stderr());
    String line = train.stderr().lines().filter(l -> l.contains(RUNTIME_LOG_LINE)).findFirst().orElseThrow();
    assertTrue(line.contains("-D" + MallocTuning.PROPERTY + "=false") && line.contains("-D" + LayerHelpers.PROPERTY + "=none"),
        "the log line says how to opt out: " + line);

    ChildJvm.Streams embed = ChildJvm.runSeparately(ChildJvm.testClassPath(), "1g",
        Set.of(MallocAdvice.ENV), 120, EmbedMain.class, encoder.toString());
    assertEquals(0, embed.exitCode(), embed.stdout() + embed.stderr());
    assertEquals(List.of("RESULT embedded [4, 2], changed properties {}, mallopt calls 0, conv helper MKLDNNConvHelper"),
        embed.stdout().lines().toList(), embed.stderr());
    assertTrue(embed.stderr().lines().noneMatch(l -> l.contains(RUNTIME_LOG_LINE)), embed.stderr());
  }

  /** Child: trains twice (a second trainer in the same process), saves the encoder. */
  public static final class TrainMain {
    public static void main(String[] args) {
      Nd4j.getRandom().setSeed(1);
      ArraySource data = new ArraySource(Nd4j.rand(DataType.FLOAT, 16, 1, 6, 6));
      TrainingConfig config = TrainingConfig.builder(8).maxSteps(2).dataType(DataType.FLOAT)
          .updater(new Adam(1e-3)).progressBar(false).build();
      new Trainer(config).fit(new SameDiffProbeTask(), new ConvBnPoolEncoder(), data);
      TrainingResult result = new Trainer(config).fit(new SameDiffProbeTask(), new ConvBnPoolEncoder(), data);
      PretrainedEncoder.from(result.graph(), new ConvBnPoolEncoder(), result.metadata()).save(Path.of(args[0]));
      ComputationGraph g = result.graph();
      System.out.println("RESULT trained twice, mallopt calls " + MallocTuning.malloptCalls() + ", helpers "
          + Stream.of(ConvBnPoolEncoder.CONV, ConvBnPoolEncoder.BN, ConvBnPoolEncoder.POOL)
              .map(n -> g.getLayer(n).getHelper().getClass().getSimpleName()).toList());
    }
  }

  /** Child: loads the encoder and embeds, comparing the system properties before and after. */
  public static final class EmbedMain {
    public static void main(String[] args) {
      Properties before = snapshot();
      PretrainedEncoder encoder = PretrainedEncoder.load(Path.of(args[0]));
      INDArray z = encoder.embed(Nd4j.rand(DataType.FLOAT, 4, 1, 6, 6));
      Map<String, String> changed = changedSince(before);
      System.out.println("RESULT embedded " + java.util.Arrays.toString(z.shape()) + ", changed properties "
          + changed + ", mallopt calls " + MallocTuning.malloptCalls() + ", conv helper "
          + encoder.graph().getLayer(ConvBnPoolEncoder.CONV).getHelper().getClass().getSimpleName());
    }
  }

  /** @return system properties added, removed or changed since {@code before}: name to "old -> new" */
  static Map<String, String> changedSince(Properties before) {
    return changedSince(before, System.getProperties());
  }

  /**
   * A snapshot of the system properties to compare with later. It first makes the JDK set {@code
   * user.timezone}, which the JDK itself fills in lazily on the first use of the default time zone
   * (by any date formatting); that is not a change made by the code under test.
   */
  static Properties snapshot() {
    java.util.TimeZone.getDefault();
    return (Properties) System.getProperties().clone();
  }

  private static Map<String, String> changedSince(Properties before, Properties after) {
    Map<String, String> changed = new TreeMap<>();
    Set<String> names = new TreeSet<>(before.stringPropertyNames());
    names.addAll(after.stringPropertyNames());
    for (String name : names) {
      if (!Objects.equals(before.getProperty(name), after.getProperty(name))) {
        changed.put(name, before.getProperty(name) + " -> " + after.getProperty(name));
      }
    }
    return changed;
  }

  /** conv (oneDNN helper) → batch norm → 2x2 max pool, on [batch, 1, 6, 6]. */
  static final class ConvBnPoolEncoder implements Encoder {
    static final String CONV = VertexNames.encoder("conv");
    static final String BN = VertexNames.encoder("bn");
    static final String POOL = VertexNames.encoder("pool");

    @Override
    public InputType inputType() {
      return InputType.convolutional(6, 6, 1);
    }

    @Override
    public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
      graph.addLayer(CONV, new ConvolutionLayer.Builder(3, 3).nOut(2).convolutionMode(ConvolutionMode.Same)
          .activation(Activation.IDENTITY).build(), input);
      graph.addLayer(BN, new BatchNormalization.Builder().activation(Activation.RELU).build(), CONV);
      graph.addLayer(POOL, new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), BN);
      return POOL;
    }

    @Override
    public InputType outputType() {
      return InputType.convolutional(3, 3, 2);
    }

    @Override
    public List<String> blockOutputs() {
      return List.of(POOL);
    }
  }

  /**
   * Regresses the representation onto zeros through a SameDiff layer ({@link
   * CorrectedSameDiffLayer}) and a SameDiff loss ({@link FixedSameDiffLoss}): both build SameDiff
   * gradient functions. A DL4J dense layer flattens the feature map.
   */
  static final class SameDiffProbeTask implements PretextTask {
    @Override
    public String id() {
      return "test-samediff-probe";
    }

    @Override
    public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
      graph.addInputs(VertexNames.INPUT).setInputTypes(encoder.inputType());
      String out = encoder.addTo(graph, VertexNames.INPUT);
      graph.addLayer("dense", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), out);
      graph.addLayer("sd", new SameDiffLayerTestSupport.CorrectedDense(4, 3), "dense");
      graph.addLayer(VertexNames.loss("out"), new OutputLayer.Builder()
          .lossFunction(new SameDiffLossTestSupport.FixedMse()).nOut(2).activation(Activation.TANH).build(), "sd");
      graph.setOutputs(VertexNames.loss("out"));
    }

    @Override
    public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
      return new org.nd4j.linalg.dataset.MultiDataSet(examples,
          Nd4j.zeros(examples.dataType(), examples.size(0), 2));
    }

    @Override
    public Map<String, Object> config() {
      return Map.of();
    }
  }
}
