package io.github.ssl4j.tasks.masked;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.encoders.TransformerEncoder;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.text.Vocabulary;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Contract plus masked-only-loss tests on windows of 6 tokens over 12 ids and a 1-block transformer. */
class MaskedLanguageTaskTest extends PretextTaskContract {
  private static final int VOCAB = 12;
  private static final int LENGTH = 6;

  @Override
  protected PretextTask task() {
    // select half the tokens so every small batch has targets
    return MaskedLanguageTask.of(MlmMasker.builder(VOCAB).selectProbability(0.5).build());
  }

  @Override
  protected Encoder encoder() {
    return TransformerEncoder.builder(VOCAB, LENGTH).width(4).heads(2).feedForward(8).blocks(1)
        .dropout(0).build();
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return TestData.tinyConv(8, 8, 1, 4); // images, no token ids
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("token ids", "TransformerEncoder");
  }

  /** [CLS] + random regular ids, the last one or two positions padded in every other window. */
  @Override
  protected INDArray examples(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] ids = new float[n][LENGTH];
    for (int i = 0; i < n; i++) {
      int real = i % 2 == 0 ? LENGTH : LENGTH - 1 - i % 3 % 2;
      ids[i][0] = Vocabulary.CLS;
      for (int t = 1; t < real; t++) {
        ids[i][t] = r.nextInt(Vocabulary.FIRST_REGULAR_ID, VOCAB);
      }
    }
    return Nd4j.createFromArray(ids);
  }

  private ComputationGraph graph() {
    ComputationGraph net = new ComputationGraph(configuration(new NoOp(), DataType.DOUBLE));
    net.init();
    return net;
  }

  private ComputationGraph doubleGraph() {
    DataType old = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      return graph();
    } finally {
      Nd4j.setDefaultDataTypes(old, old);
    }
  }

  @Test
  void lossIsTheCrossEntropyOfTheSelectedTokensOnly() {
    ComputationGraph net = doubleGraph();
    MultiDataSet batch = task().prepare(examples(5, 1), new SplittableRandom(2));
    INDArray x = batch.getFeatures(0).castTo(DataType.DOUBLE);
    INDArray fmask = batch.getFeaturesMaskArray(0).castTo(DataType.DOUBLE);
    INDArray labels = batch.getLabels(0).castTo(DataType.DOUBLE);
    INDArray lmask = batch.getLabelsMaskArray(0).castTo(DataType.DOUBLE);
    assertTrue(lmask.sumNumber().doubleValue() > 0, "the batch must have targets");
    INDArray p = net.output(false, new INDArray[] {x}, new INDArray[] {fmask})[0]; // [n, vocab, T]
    double expected = 0;
    for (int i = 0; i < 5; i++) {
      for (int t = 0; t < LENGTH; t++) {
        if (lmask.getDouble(i, t) == 1) {
          expected -= Math.log(p.getDouble(i, (long) labels.getDouble(i, 0, t), t));
        }
      }
    }
    expected /= 5; // DL4J divides by the number of windows
    org.nd4j.linalg.dataset.MultiDataSet doubles = new org.nd4j.linalg.dataset.MultiDataSet(
        new INDArray[] {x}, new INDArray[] {labels}, new INDArray[] {fmask}, new INDArray[] {lmask});
    assertEquals(expected, net.score(doubles), 1e-9);
    // labels at unselected positions do not matter
    INDArray other = labels.dup();
    for (int i = 0; i < 5; i++) {
      for (int t = 0; t < LENGTH; t++) {
        if (lmask.getDouble(i, t) == 0) {
          other.putScalar(new long[] {i, 0, t}, (labels.getDouble(i, 0, t) + 3) % VOCAB);
        }
      }
    }
    assertEquals(net.score(doubles), net.score(new org.nd4j.linalg.dataset.MultiDataSet(
        new INDArray[] {x}, new INDArray[] {other}, new INDArray[] {fmask}, new INDArray[] {lmask})), 1e-12);
  }

  @Test
  void preparedBatchCarriesPaddingMaskSparseLabelsAndSelectedPositions() {
    INDArray ids = examples(6, 4);
    MultiDataSet b = task().prepare(ids, new SplittableRandom(9));
    INDArray fmask = b.getFeaturesMaskArray(0);
    INDArray lmask = b.getLabelsMaskArray(0);
    assertEquals(ids.neq(Vocabulary.PAD).castTo(fmask.dataType()), fmask);
    assertEquals(ids.reshape(6, 1, LENGTH), b.getLabels(0).castTo(ids.dataType()));
    for (int i = 0; i < 6; i++) {
      for (int t = 0; t < LENGTH; t++) {
        if (lmask.getDouble(i, t) == 1) {
          assertTrue(ids.getDouble(i, t) >= Vocabulary.FIRST_REGULAR_ID, "only regular tokens are targets");
        } else {
          assertEquals(ids.getDouble(i, t), b.getFeatures(0).getDouble(i, t), "unselected tokens stay");
        }
      }
    }
  }

  @Test
  void headAtSelectedPositionsAgreesWithTheFullOutput() {
    ComputationGraph net = graph();
    MultiDataSet batch = task().prepare(examples(6, 3), new SplittableRandom(5));
    INDArray x = batch.getFeatures(0).castTo(DataType.DOUBLE);
    INDArray fmask = batch.getFeaturesMaskArray(0).castTo(DataType.DOUBLE);
    INDArray sel = batch.getLabelsMaskArray(0);
    int[][] top = MaskedTokenAccuracy.predictAt(net, encoder().outputVertex(), x, fmask, sel);
    INDArray best = net.output(false, new INDArray[] {x}, new INDArray[] {fmask})[0].argMax(1); // [n, T]
    int checked = 0;
    for (int i = 0; i < 6; i++) {
      for (int t = 0; t < LENGTH; t++) {
        if (sel.getDouble(i, t) != 0) {
          assertEquals(best.getInt(i, t), top[i][t]);
          checked++;
        } else {
          assertEquals(-1, top[i][t]);
        }
      }
    }
    assertTrue(checked > 0);
  }

  @Test
  void configNamesTheUntiedHead() {
    assertTrue(String.valueOf(task().config().get("head")).contains("untied"));
    assertEquals("masked-language", task().id());
  }
}
