package io.github.ssl4j.examples;

import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.tasks.nextframe.FrameEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * What each vertex of a saved per-frame encoder ({@link FrameEncoder}: strided convolutions, then
 * optionally a dense layer) represents about single Fashion-MNIST images centred on the 64x64
 * canvas: the global average pool of each convolution's map and the dense embedding, each under
 * kNN and a linear probe on all labels, next to the same vertex of a random-init encoder.
 *
 * <p>Arguments: the encoder file ({@code encoder.zip} of an example), the conv widths (e.g. {@code
 * 16,32,32}), the dense size or 0 for none, then optionally the Fashion-MNIST directory, training
 * and test images (default 2000 and 500).
 */
final class FrameEncoderVertices {
  private FrameEncoderVertices() {}

  public static void main(String[] args) {
    PretrainedEncoder saved = PretrainedEncoder.load(Path.of(args[0]));
    int[] widths = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
    int dense = Integer.parseInt(args[2]);
    Path data = args.length > 3 ? Path.of(args[3]) : null;
    int trainCount = args.length > 4 ? Integer.parseInt(args[4]) : 2000;
    int testCount = args.length > 5 ? Integer.parseInt(args[5]) : 500;
    FashionMnist fm = FashionMnist.load(data, -1, testCount);
    LabelledData train = NextFrameEvaluation.centred(fm.train().subset(IntStream.range(0, trainCount).toArray()));
    LabelledData test = NextFrameEvaluation.centred(fm.test());
    List<FrameEncoder> vertices = new ArrayList<>();
    for (int depth = 1; depth <= widths.length; depth++) {
      vertices.add(FrameEncoder.builder(64, 64, 1).convWidths(java.util.Arrays.copyOf(widths, depth)).keepMap().build());
    }
    if (dense > 0) {
      vertices.add(FrameEncoder.builder(64, 64, 1).convWidths(widths).embedding(dense).build());
    }
    System.out.println("vertex (representation)              kNN pre / random    probe pre / random");
    for (FrameEncoder e : vertices) {
      ModelMetadata m = saved.metadata();
      ModelMetadata meta = new ModelMetadata(m.taskId(), m.taskConfig(), e.describe(), e.inputType().toString(),
          e.blockOutputs(), e.representationSize(), m.seed(), m.trainingSteps(), m.ssl4jVersion(), m.dl4jVersion(),
          m.createdAt());
      PretrainedEncoder cut = PretrainedEncoder.from(saved.graph(), e, meta);
      EncoderEvaluation.Frozen f = EncoderEvaluation.frozen(cut, e, train, test,
          EncoderEvaluation.PROBE_MAX_ITERATIONS, 0, EncoderEvaluation.EMBED_BATCH);
      String name = e.outputVertex() + (e.outputType() instanceof org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward
          ? "" : " (avg pool)") + " " + e.representationSize() + "-d";
      System.out.println(String.format(Locale.ROOT, "%-36s %6.2f / %6.2f %%   %6.2f / %6.2f %%", name,
          100 * f.knnPretrained(), 100 * f.knnRandom(), 100 * f.probePretrained(), 100 * f.probeRandom()));
    }
  }
}
