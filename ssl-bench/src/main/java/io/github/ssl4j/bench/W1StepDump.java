package io.github.ssl4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.examples.FashionMnist;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a few W1 training steps ({@link Workloads}) to a directory so that {@code
 * ssl-bench/scripts/w1-step-vs-peer.py} can replay them in the PyTorch reference's own modules and compare: the initial parameters, each
 * step's augmented batch (both views, as ssl4j made them), the mean-loss gradients of the first step,
 * the parameters after every step and each step's loss. Same graph, updater (Adam 1e-3) and helpers
 * as {@code Trainer}; workspaces off so the gradient can be read between steps.
 *
 * <p>Files: {@code manifest.json} (parameter names and shapes, losses, settings) and one
 * little-endian float64 file per array ({@code p<k>-<param>.f64} after k steps, {@code
 * g0-<param>.f64}, {@code views<k>.f64}); '/' in parameter names becomes '.'.
 */
@Command(
    name = "W1StepDump",
    mixinStandardHelpOptions = true,
    description = "Dump W1 training steps (parameters, batches, gradients) for a comparison with the PyTorch peer.")
public final class W1StepDump implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "Directory to write to (created).")
  Path out;

  @Option(names = "--dtype", defaultValue = "double", description = "float or double (default ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--steps", defaultValue = "5", description = "Training steps to record (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation and augmentation (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data", description = "Fashion-MNIST directory (default: the Debian package's, else the bundled sample).")
  Path data;

  public static void main(String[] args) {
    Dl4jRuntime.configureForTraining();
    System.exit(new CommandLine(new W1StepDump()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    DataType dt = switch (dtype) {
      case "float" -> DataType.FLOAT;
      case "double" -> DataType.DOUBLE;
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          "--dtype must be float or double, got '" + dtype + "'");
    };
    if (steps < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--steps must be >= 1, got " + steps);
    }
    int batch = Workloads.W1_BATCH;
    FashionMnist fm = FashionMnist.load(data, batch * steps, 1);
    if (fm.train().size() < batch * steps) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--steps " + steps + " needs "
          + batch * steps + " training images, the data has " + fm.train().size());
    }
    Files.createDirectories(out);
    ContrastiveTask task = Workloads.w1Task();
    var graphBuilder = new NeuralNetConfiguration.Builder()
        .seed(Seeds.forNd4j(seed))
        .updater(new Adam(Workloads.LEARNING_RATE))
        .dataType(dt)
        .trainingWorkspaceMode(WorkspaceMode.NONE)
        .inferenceWorkspaceMode(WorkspaceMode.NONE)
        .graphBuilder();
    task.buildGraph(graphBuilder, Workloads.w1Encoder());
    ComputationGraph graph = new ComputationGraph(graphBuilder.build());
    graph.init();
    LayerHelpers.install(graph);

    INDArray images = fm.train().features().castTo(dt);
    writeParams(graph, "p0");
    List<Double> losses = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      MultiDataSet mds = task.prepare(images.get(NDArrayIndex.interval(s * batch, (s + 1) * batch)),
          new SplittableRandom(Seeds.mix(seed, "prepare", s))); // as the Trainer
      write(mds.getFeatures(0), "views" + s);
      if (s == 0) {
        graph.setInputs(mds.getFeatures());
        graph.setLabels(mds.getLabels());
        graph.computeGradientAndScore();
        // DL4J's raw gradient is summed over the rows; the updater divides by the row count
        long rows = mds.getFeatures(0).size(0);
        for (var e : graph.gradient().gradientForVariable().entrySet()) {
          write(e.getValue().div(rows), "g0-" + e.getKey());
        }
      }
      graph.fit(mds);
      losses.add(graph.score());
      writeParams(graph, "p" + (s + 1));
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("workload", "W1");
    manifest.put("dtype", dtype);
    manifest.put("seed", seed);
    manifest.put("steps", steps);
    manifest.put("batch", batch);
    Map<String, long[]> shapes = new TreeMap<>();
    graph.paramTable().forEach((k, v) -> shapes.put(k, v.shape()));
    manifest.put("params", shapes);
    manifest.put("losses", losses);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("manifest.json").toFile(), manifest);
    System.out.println("wrote " + steps + " W1 steps (" + dtype + ") to " + out + "; losses " + losses);
    return 0;
  }

  private void writeParams(ComputationGraph graph, String tag) throws IOException {
    for (var e : graph.paramTable().entrySet()) {
      write(e.getValue(), tag + "-" + e.getKey());
    }
  }

  private void write(INDArray a, String name) throws IOException {
    double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    ByteBuffer b = ByteBuffer.allocate(v.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(v);
    Files.write(out.resolve(name.replace('/', '.') + ".f64"), b.array());
  }
}
