package io.github.ssl4j.core.encoders;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.Representations;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.testing.TestData;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The Vision Transformer: token layout, gradients, representation, save/load. */
class VisionTransformerTest {

  /** 8x8 images with 2 channels, 4x4 patches: 4 tokens of width 4. */
  private static VisionTransformer tiny() {
    return VisionTransformer.builder(8, 8, 2, 4).width(4).heads(2).feedForward(6).blocks(2).build();
  }

  private static ComputationGraph graph(VisionTransformer enc, DataType dt, boolean head) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(5).dataType(dt).updater(new NoOp()).graphBuilder()
        .addInputs(VertexNames.INPUT).setInputTypes(enc.inputType());
    String out = enc.addTo(g, VertexNames.INPUT);
    if (head) {
      g.addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
          .activation(Activation.TANH).dataFormat(RNNFormat.NCW).build(), out);
      g.setOutputs("out");
    } else {
      g.setOutputs(out, VisionTransformer.TOKENS);
    }
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    return net;
  }

  @Test
  void wholeEncoderPassesGradientCheck() {
    DataType old = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      // every parameter (patch and position embeddings included) gets its gradient through the
      // token reshape and the residual paths: a wrong epsilon anywhere fails this check
      // 4x4 grey images, 2x2 patches: 4 tokens, few parameters (the check perturbs each of them)
      VisionTransformer enc = VisionTransformer.builder(4, 4, 1, 2).width(4).heads(2).feedForward(4)
          .blocks(1).build();
      ComputationGraph net = graph(enc, DataType.DOUBLE, true);
      INDArray x = TestData.images(3, 1, 4, 4, 1).castTo(DataType.DOUBLE);
      Nd4j.getRandom().setSeed(3);
      INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 3, 4).subi(0.5);
      // the blocks' own parameters are checked with their layers (TransformerLayersTest); checking
      // them here again would only add time: the epsilon through them is checked via the embeddings
      Set<String> blockParams = new HashSet<>();
      for (String p : net.paramTable().keySet()) {
        if (p.startsWith("encoder/block")) {
          blockParams.add(p);
        }
      }
      assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
          .inputs(new INDArray[] {x}).labels(new INDArray[] {y}).excludeParams(blockParams)));
    } finally {
      Nd4j.setDefaultDataTypes(old, old);
    }
  }

  @Test
  void tokensArePatchesInRowMajorOrderAndNamesFollowTheConventions() {
    VisionTransformer enc = tiny();
    ComputationGraph net = graph(enc, DataType.DOUBLE, false);
    INDArray x = TestData.images(2, 2, 8, 8, 4).castTo(DataType.DOUBLE);
    INDArray[] out = net.output(false, x);
    assertArrayEquals(new long[] {2, 4, 4}, out[0].shape());
    INDArray tokens = out[1];
    // token t = row * 2 + column is the patch embedding of patch (row, column)
    INDArray w = net.getLayer(VisionTransformer.PATCHES).getParam("W"); // [d, c, p, p]
    INDArray b = net.getLayer(VisionTransformer.PATCHES).getParam("b");
    for (int i = 0; i < 2; i++) {
      for (int t = 0; t < 4; t++) {
        int row = t / 2;
        int col = t % 2;
        for (int k = 0; k < 4; k++) {
          double sum = b.getDouble(k);
          for (int c = 0; c < 2; c++) {
            for (int u = 0; u < 4; u++) {
              for (int v = 0; v < 4; v++) {
                sum += w.getDouble(k, c, u, v) * x.getDouble(i, c, row * 4 + u, col * 4 + v);
              }
            }
          }
          assertEquals(sum, tokens.getDouble(i, k, t), 1e-10);
        }
      }
    }
    for (String v : net.getConfiguration().getVertices().keySet()) {
      assertTrue(v.startsWith(VertexNames.ENCODER), v);
    }
    assertEquals(List.of("encoder/block1/output", "encoder/final_norm"), enc.blockOutputs());
    assertEquals(4, enc.representationSize());
    assertEquals(4, enc.patches());
  }

  @Test
  void representationIsTheTokenMeanAndSurvivesSaveAndLoad(@TempDir Path dir) {
    VisionTransformer enc = tiny();
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
    INDArray x = TestData.images(3, 2, 8, 8, 2);
    INDArray tokens = net.output(false, x)[1];
    INDArray embedded = pre.embed(x);
    assertArrayEquals(new long[] {3, 4}, embedded.shape());
    assertTrue(tokens.mean(2).equalsWithEps(embedded, 1e-5));
    Path file = dir.resolve("vit.zip");
    pre.save(file);
    assertEquals(embedded, PretrainedEncoder.load(file).embed(x));
  }

  @Test
  void rejectsBadSettingsWithTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VisionTransformer.tiny(28, 28, 1, 5));
    assertTrue(e.getMessage().contains("patch size 5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> VisionTransformer.builder(28, 28, 1, 4).width(10).heads(4).build());
    assertTrue(e.getMessage().contains("width 10"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> VisionTransformer.tiny(0, 28, 1, 4));
    assertThrows(IllegalArgumentException.class,
        () -> VisionTransformer.builder(28, 28, 1, 4).blocks(0).build());
    assertEquals(49, VisionTransformer.tiny(28, 28, 1, 4).patches());
  }
}
