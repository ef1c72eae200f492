package io.github.ssl4j.core.encoders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.Representations;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.text.WordTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The transformer encoder end to end: gradients, padding, representation, save/load. */
class TransformerEncoderTest {
  private static final int VOCAB = 10;
  private static final int LENGTH = 5;

  private static TransformerEncoder tiny(boolean preNorm) {
    return TransformerEncoder.builder(VOCAB, LENGTH).width(4).heads(2).feedForward(6).blocks(2)
        .dropout(0).preNorm(preNorm).build();
  }

  private static ComputationGraph withHead(TransformerEncoder enc, DataType dt) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(5).dataType(dt).updater(new NoOp()).graphBuilder()
        .addInputs(VertexNames.INPUT).setInputTypes(enc.inputType());
    String out = enc.addTo(g, VertexNames.INPUT);
    g.addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
        .activation(Activation.TANH).dataFormat(RNNFormat.NCW).build(), out);
    g.setOutputs("out");
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    return net;
  }

  private static INDArray ids() {
    return Nd4j.create(new double[][] {{2, 5, 6, 7, 8}, {2, 9, 5, 0, 0}, {2, 6, 0, 0, 0}});
  }

  @Test
  void wholeEncoderPassesGradientCheckWithPaddingPreAndPostNorm() {
    DataType old = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      for (boolean pre : new boolean[] {true, false}) {
        TransformerEncoder enc = tiny(pre);
        ComputationGraph net = withHead(enc, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(3);
        INDArray x = ids();
        INDArray mask = enc.inputMask(x);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2, LENGTH).subi(0.5);
        // every parameter, the embeddings included, gets its gradient through the residual
        // paths: a wrong epsilon anywhere (e.g. DL4J's 2x SameDiff bug) fails this check
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
            .inputs(new INDArray[] {x}).labels(new INDArray[] {y})
            .inputMask(new INDArray[] {mask}).labelMask(new INDArray[] {mask})), "preNorm=" + pre);
      }
    } finally {
      Nd4j.setDefaultDataTypes(old, old);
    }
  }

  @Test
  void namesEveryVertexUnderEncoderAndListsBlocks() {
    TransformerEncoder enc = tiny(true);
    ComputationGraph net = withHead(enc, DataType.FLOAT);
    for (String v : net.getConfiguration().getVertices().keySet()) {
      assertTrue(v.equals("out") || v.startsWith(VertexNames.ENCODER), v);
    }
    assertEquals(List.of("encoder/block1/output", "encoder/final_norm"), enc.blockOutputs());
    assertEquals(List.of("encoder/block1/norm2", "encoder/block2/norm2"), tiny(false).blockOutputs());
    assertEquals(4, enc.representationSize());
  }

  @Test
  void representationIsTheMeanOverRealTokensAndIgnoresPadding(@TempDir Path dir) {
    TransformerEncoder enc = tiny(true);
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(5).dataType(DataType.FLOAT).graphBuilder()
        .addInputs(VertexNames.INPUT).setInputTypes(enc.inputType());
    String out = enc.addTo(g, VertexNames.INPUT);
    String rep = Representations.addTo(g, out, enc.outputType());
    g.setOutputs(rep, out);
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    ModelMetadata meta = new ModelMetadata("test", Map.of(), enc.describe(), enc.inputType().toString(),
        enc.blockOutputs(), enc.representationSize(), 5, 0, "test", "test", "now");
    PretrainedEncoder pre = PretrainedEncoder.from(net, enc, meta);
    INDArray x = ids().castTo(DataType.FLOAT);
    INDArray mask = enc.inputMask(x);
    INDArray[] both = net.output(false, new INDArray[] {x}, new INDArray[] {mask});
    INDArray tokens = both[1]; // [3, 4, 5]
    INDArray embedded = pre.embed(x);
    for (int i = 0; i < 3; i++) {
      double real = mask.getRow(i).sumNumber().doubleValue();
      for (int c = 0; c < 4; c++) {
        double sum = 0;
        for (int t = 0; t < real; t++) {
          sum += tokens.getDouble(i, c, t);
        }
        assertEquals(sum / real, embedded.getDouble(i, c), 1e-5);
      }
    }
    // the real tokens' representation does not depend on the padded part's length
    INDArray short1 = Nd4j.create(new float[][] {{2, 6, 0, 0, 0}});
    assertEquals(embedded.getRow(2).reshape(1, 4), pre.embed(short1));
    // save/load keeps the padding id and the vocabulary
    Vocabulary vocab = Vocabulary.build(WordTokenizer.INSTANCE, List.of("a b c d e"), 5);
    Path file = dir.resolve("enc.zip");
    pre.withVocabulary(vocab).save(file);
    PretrainedEncoder loaded = PretrainedEncoder.load(file);
    assertEquals(Vocabulary.PAD, loaded.paddingId().getAsInt());
    assertEquals(vocab.tokens(), loaded.vocabulary().orElseThrow().tokens());
    assertEquals(embedded, loaded.embed(x));
  }

  @Test
  void paddedPositionsDoNotChangeRealOutputs() {
    TransformerEncoder enc = tiny(true);
    ComputationGraph net = withHead(enc, DataType.DOUBLE);
    INDArray x = ids();
    INDArray mask = enc.inputMask(x);
    INDArray a = net.output(false, new INDArray[] {x}, new INDArray[] {mask})[0];
    INDArray x2 = x.dup();
    x2.putScalar(1, 3, 7); // a token at a padded position, mask unchanged
    INDArray b = net.output(false, new INDArray[] {x2}, new INDArray[] {mask})[0];
    assertEquals(a.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)),
        b.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)));
  }

  @Test
  void trainsWithDropoutAndPaddingAndIsDeterministicAtInference() {
    TransformerEncoder enc = TransformerEncoder.builder(VOCAB, LENGTH).width(4).heads(2).feedForward(6)
        .blocks(1).dropout(0.5).build();
    ComputationGraph net = withHead(enc, DataType.FLOAT);
    INDArray x = ids().castTo(DataType.FLOAT);
    INDArray mask = enc.inputMask(x);
    INDArray y = Nd4j.rand(DataType.FLOAT, 3, 2, LENGTH);
    INDArray before = net.params().dup();
    // DL4J's own DropoutLayer fails here ("Mismatched shapes") on [batch, d, T] with a [batch, T] mask
    net.fit(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, new INDArray[] {y},
        new INDArray[] {mask}, new INDArray[] {mask}));
    assertTrue(net.params().neq(before).castTo(DataType.FLOAT).sumNumber().doubleValue() > 0, "one step changes the parameters");
    INDArray a = net.output(false, new INDArray[] {x}, new INDArray[] {mask})[0];
    INDArray b = net.output(false, new INDArray[] {x}, new INDArray[] {mask})[0];
    assertEquals(a, b);
    // in training mode about half the activations after the embedding dropout are zero
    INDArray emb = net.feedForward(new INDArray[] {x}, true, false).get("encoder/embedding_dropout");
    double zeros = emb.eq(0).castTo(DataType.FLOAT).meanNumber().doubleValue();
    assertTrue(zeros > 0.3 && zeros < 0.7, "dropped fraction " + zeros);
  }

  @Test
  void rejectsBadSettingsWithTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransformerEncoder.builder(100, 64).width(130).heads(4).build());
    assertTrue(e.getMessage().contains("width 130"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TransformerEncoder.builder(3, 64).build());
    assertTrue(e.getMessage().contains("got 3"), e.getMessage());
  }
}
