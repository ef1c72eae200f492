package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Frames of a sequence whose backward pass lets a missing gradient through. */
class SequenceToFramesTest {

  @Test
  void isDl4jsPreprocessorForwardAndBackwardAndLetsNullThrough() {
    SequenceToFrames ours = new SequenceToFrames(4, 5, 2);
    RnnToCnnPreProcessor theirs = new RnnToCnnPreProcessor(4, 5, 2);
    LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
    INDArray sequence = Nd4j.rand(DataType.DOUBLE, 3, 40, 6);
    INDArray frames = theirs.preProcess(sequence.dup(), 3, none);
    assertEquals(frames, ours.preProcess(sequence.dup(), 3, none));
    INDArray gradient = Nd4j.rand(DataType.DOUBLE, frames.shape());
    assertEquals(theirs.backprop(gradient.dup(), 3, none), ours.backprop(gradient.dup(), 3, none));
    assertNull(ours.backprop(null, 3, none));
  }

  @Test
  void survivesJsonAndIsNotDl4jsPreprocessor() {
    ComputationGraphConfiguration conf = graph(true).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    assertInstanceOf(SequenceToFrames.class,
        ((PreprocessorVertex) back.getVertices().get("frames")).getPreProcessor());
    assertEquals(new SequenceToFrames(4, 4, 1), new SequenceToFrames(4, 4, 1).clone());
    assertNotEquals(new SequenceToFrames(4, 4, 1), new RnnToCnnPreProcessor(4, 4, 1));
    assertNotEquals(new RnnToCnnPreProcessor(4, 4, 1), new SequenceToFrames(4, 4, 1));
  }

  @Test
  void aFirstConvolutionOnFramesOfTheInputComputesNoInputGradientAndTheSameParameterGradients() {
    ComputationGraph without = graph(true);
    ComputationGraph with = graph(false);
    SingleForwardConvolution conv = (SingleForwardConvolution) without.getLayer("conv").conf().getLayer();
    assertFalse(conv.isInputGradient());
    assertTrue(((SingleForwardConvolution) with.getLayer("conv").conf().getLayer()).isInputGradient());
    with.setParams(without.params().dup());
    Nd4j.getRandom().setSeed(3);
    INDArray in = Nd4j.rand(DataType.DOUBLE, 2, 16, 3);
    INDArray labels = Nd4j.rand(DataType.DOUBLE, 2, 16, 3);
    for (ComputationGraph g : new ComputationGraph[] {without, with}) {
      g.setInputs(in);
      g.setLabels(labels);
      g.computeGradientAndScore();
    }
    assertEquals(with.score(), without.score());
    assertEquals(with.gradient().gradient(), without.gradient().gradient());
  }

  @Test
  void inputGradientsAreNeededBeyondTheInputAndItsFrames() {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().graphBuilder()
        .addInputs("in")
        .addVertex("frames", new PreprocessorVertex(new SequenceToFrames(4, 4, 1)), "in")
        .addVertex("plain", new PreprocessorVertex(new RnnToCnnPreProcessor(4, 4, 1)), "in")
        .addVertex("framesOfFrames", new PreprocessorVertex(new SequenceToFrames(4, 4, 1)), "plain");
    assertFalse(InputGradients.needed(g, "in"));
    assertFalse(InputGradients.needed(g, "frames"));
    assertTrue(InputGradients.needed(g, "plain"));
    assertTrue(InputGradients.needed(g, "framesOfFrames"));
  }

  /** input (sequence of 4x4 frames) → frames → 3x3 conv → back to a sequence → loss. */
  private static ComputationGraph graph(boolean framesVertex) {
    ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
        .seed(5)
        .dataType(DataType.DOUBLE)
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.recurrent(16))
        .addVertex("frames", new PreprocessorVertex(framesVertex
            ? new SequenceToFrames(4, 4, 1) : new RnnToCnnPreProcessor(4, 4, 1)), "in");
    b.addLayer("conv", new SingleForwardConvolution.Builder(3, 3)
            .inputGradient(InputGradients.needed(b, "frames"))
            .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same)
            .nIn(1).nOut(1).activation(Activation.TANH).build(), "frames")
        .addVertex("sequence", new PreprocessorVertex(new CnnToRnnPreProcessor(4, 4, 1)), "conv")
        .addLayer("loss", new RnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
            .activation(Activation.IDENTITY).build(), "sequence")
        .setOutputs("loss");
    ComputationGraph g = new ComputationGraph(b.build());
    g.init();
    return g;
  }
}
