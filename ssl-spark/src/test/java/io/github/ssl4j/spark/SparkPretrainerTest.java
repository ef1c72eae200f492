package io.github.ssl4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.MlpEncoder;
import io.github.ssl4j.core.tasks.DenoisingAutoencoderTask;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.core.train.WarmupCosineSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** SparkPretrainer on a local[2] master: the acceptance checks of data-parallel pretraining. */
class SparkPretrainerTest {
  private static JavaSparkContext sc;

  /** A denoising autoencoder: cheap, deterministic given the seed, and has corruption noise. */
  private static final SerializableSupplier<PretextTask> TASK =
      () -> DenoisingAutoencoderTask.builder(DenoisingAutoencoderTask.Noise.gaussian(0.2)).build();

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ssl-spark-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1"));
    sc.setLogLevel("WARN");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  private static Encoder encoder() {
    return MlpEncoder.builder(8).hiddenWidths(16, 4).build();
  }

  /** 96 examples of width 8 with a low-rank structure an autoencoder can learn. */
  private static INDArray data() {
    Random r = new Random(7);
    double[] v = new double[96 * 8];
    for (int i = 0; i < 96; i++) {
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      for (int j = 0; j < 8; j++) {
        v[i * 8 + j] = (j % 2 == 0 ? a : b) * (1 + 0.1 * j) + 0.05 * r.nextGaussian();
      }
    }
    return Nd4j.create(v, new long[] {96, 8}, DataType.DOUBLE);
  }

  private static JavaRDD<INDArray> rdd(INDArray data, int partitions) {
    List<INDArray> rows = new ArrayList<>();
    for (int i = 0; i < data.size(0); i++) {
      rows.add(data.getRow(i).dup());
    }
    return sc.parallelize(rows, partitions);
  }

  private static TrainingConfig.Builder config() {
    return TrainingConfig.builder(8).epochs(2).seed(11).dataType(DataType.DOUBLE).updater(new Adam(1e-2))
        .learningRateSchedule(new WarmupCosineSchedule(1e-2, 1e-3, 2, 24)).weightDecay(1e-4)
        .progressBar(false).logEverySteps(0);
  }

  @Test
  void oneWorkerParameterAveragingIsBitIdenticalToTheSingleJvmTrainer() {
    INDArray data = data();
    TrainingConfig config = config().build();
    TrainingResult single = new Trainer(config).fit(TASK.get(), encoder(), new ArraySource(data));
    TrainingResult spark = new SparkPretrainer(sc, config, SparkTraining.parameterAveraging(5))
        .fit(rdd(data, 1), TASK, encoder());
    assertEquals(single.steps(), spark.steps());
    assertEquals(24, spark.steps());
    assertEquals(single.graph().params(), spark.graph().params(), "parameters differ");
    assertEquals(single.graph().getUpdater().getStateViewArray(), spark.graph().getUpdater().getStateViewArray());
    for (int i = 0; i < single.history().size(); i++) {
      assertEquals(single.history().get(i).loss(), spark.history().get(i).loss(), 0.0, "loss of step " + (i + 1));
    }
  }

  /**
   * The driver applies the one worker's gradient with the graph's own updater, as DL4J's fit does;
   * the same operations on the same values, so equal to the last bit in practice; the tolerance
   * only allows for a different summation order inside the updater.
   */
  @Test
  void oneWorkerGradientSharingMatchesTheSingleJvmTrainer() {
    INDArray data = data();
    TrainingConfig config = config().build();
    TrainingResult single = new Trainer(config).fit(TASK.get(), encoder(), new ArraySource(data));
    TrainingResult spark = new SparkPretrainer(sc, config, SparkTraining.gradientSharing(6))
        .fit(rdd(data, 1), TASK, encoder());
    double diff = single.graph().params().sub(spark.graph().params()).amaxNumber().doubleValue();
    assertEquals(0.0, diff, 1e-12, "largest parameter difference");
    assertEquals(single.finalLoss(), spark.finalLoss(), 1e-12);
  }

  @Test
  void twoWorkersLowerTheLossLikeTheSingleJvmTrainer() {
    INDArray data = data();
    TrainingConfig config = config().epochs(4).learningRateSchedule(new WarmupCosineSchedule(1e-2, 1e-3, 2, 24))
        .build();
    double[] singleJvm = firstAndLast(new Trainer(config.toBuilder().maxSteps(24).build())
        .fit(TASK.get(), encoder(), new ArraySource(data)));
    double single = singleJvm[1];
    assertTrue(single < 0.8 * singleJvm[0], "single JVM: loss " + singleJvm[0] + " -> " + single);
    for (SparkTraining mode : List.of(SparkTraining.parameterAveraging(4), SparkTraining.gradientSharing(6))) {
      // 2 workers of 48 examples: 6 steps per epoch, 24 steps in 4 epochs, batch 2 x 8
      TrainingResult r = new SparkPretrainer(sc, config, mode).fit(rdd(data, 2), TASK, encoder());
      assertEquals(24, r.steps(), mode.toString());
      double[] fl = firstAndLast(r);
      assertTrue(fl[1] < 0.8 * fl[0], mode + ": loss " + fl[0] + " -> " + fl[1]);
      // parameter averaging every few steps progresses more slowly per step than one JVM's steps
      double drop = 1 - fl[1] / fl[0];
      double singleDrop = 1 - single / singleJvm[0];
      assertTrue(drop > 0.5 * singleDrop, mode + ": loss fell by " + drop + ", the single JVM's by " + singleDrop);
      PretrainedEncoder pe = r.pretrainedEncoder();
      assertArrayEquals(new long[] {5, 4}, pe.embed(data.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5))).shape());
    }
  }

  /** Mean loss of the first and of the last 3 steps. */
  private static double[] firstAndLast(TrainingResult r) {
    var h = r.history();
    double first = (h.get(0).loss() + h.get(1).loss() + h.get(2).loss()) / 3;
    int n = h.size();
    double last = (h.get(n - 1).loss() + h.get(n - 2).loss() + h.get(n - 3).loss()) / 3;
    return new double[] {first, last};
  }

  @Test
  void aJobKilledBetweenRoundsResumesFromItsLastCheckpoint() throws Exception {
    INDArray data = data();
    TrainingConfig config = config().build();
    JavaRDD<INDArray> examples = rdd(data, 2);
    TrainingResult uninterrupted = new SparkPretrainer(sc, config, SparkTraining.parameterAveraging(3))
        .fit(examples, TASK, encoder());

    String dir = tmp.resolve("run").toUri().toString();
    SparkTraining withCheckpoints = SparkTraining.parameterAveraging(3).checkpointPath(dir).keepLastCheckpoints(2);
    RuntimeException kill = assertThrows(RuntimeException.class,
        () -> new SparkPretrainer(sc, config, withCheckpoints).listener((step, total, loss, cp) -> {
          if (step == 6) {
            throw new RuntimeException("killed after step " + step);
          }
        }).fit(examples, TASK, encoder()));
    assertEquals("killed after step 6", kill.getMessage());
    assertTrue(Files.exists(tmp.resolve("run/checkpoint-6.zip")));
    assertTrue(Files.exists(tmp.resolve("run/checkpoint-3.zip")));
    assertThrows(IllegalStateException.class,
        () -> new SparkPretrainer(sc, config, withCheckpoints).fit(examples, TASK, encoder()),
        "fit must not overwrite a run's checkpoints");

    TrainingResult resumed = new SparkPretrainer(sc, config, withCheckpoints).resume(examples, TASK, encoder());
    assertEquals(12, resumed.steps());
    assertEquals(uninterrupted.graph().params(), resumed.graph().params(), "resumed run differs");
    assertEquals(uninterrupted.history().size(), resumed.history().size());
    assertEquals(uninterrupted.finalLoss(), resumed.finalLoss(), 0.0);
    // keepLastCheckpoints(2): the two newest remain
    assertTrue(Files.exists(tmp.resolve("run/checkpoint-12.zip")));
    assertTrue(!Files.exists(tmp.resolve("run/checkpoint-6.zip")));
  }

  @Test
  void aPartitionSmallerThanOneBatchIsRejectedWithItsSize() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SparkPretrainer(sc, config().build(), SparkTraining.parameterAveraging(2))
            .fit(rdd(data().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 12)), 2), TASK, encoder()));
    assertTrue(e.getMessage().contains("holds 6 examples"), e.getMessage());
  }
}
