package io.github.ssl4j.tasks.nextframe;

import io.github.ssl4j.core.Decoder;
import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.BinaryCrossEntropy;
import io.github.ssl4j.core.layers.ConvLstm;
import io.github.ssl4j.core.layers.SequenceToFrames;
import io.github.ssl4j.core.layers.SingleForwardLstm;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Next-frame prediction: from frames 1..T−1 of a sequence predict frames 2..T, the
 * next frame at every step (teacher forcing), through a per-frame {@link Encoder}, an LSTM over
 * the frame embeddings and a per-frame {@link Decoder}.
 *
 * <p>Examples are sequences {@code [n, time, channels, height, width]} with values in [0, 1] and at
 * least 2 frames. The graph input is the context frames as a DL4J time series {@code [n,
 * channels*height*width, time-1]} (see {@link #asTimeSeries}); a preprocessor vertex turns it into
 * one image per frame for the encoder, whose input type must be {@code convolutional(height,
 * width, channels)} with a feed-forward output. The decoder gives pre-sigmoid logits per frame; the
 * loss is binary cross-entropy per pixel computed from the logits ({@link BinaryCrossEntropy}), as
 * DL4J scores an {@link RnnLossLayer}: summed over pixels and time steps, averaged over sequences. PyTorch's default
 * {@code BCEWithLogitsLoss} averages over all elements instead: the same minimiser, a loss {@code (time−1)·pixels} times as
 * large (Adam is insensitive to that scale).
 *
 * <pre>{@code
 * NextFrameTask task = NextFrameTask.lstm();         // LSTM 512, FrameDecoder.small(64, 64, 1)
 * Encoder frames = FrameEncoder.small(64, 64, 1);              // 64x64x1 -> 512
 * }</pre>
 *
 * <p><b>Convolutional variant</b> ({@link Builder#convolutional}): the encoder keeps the feature
 * map (e.g. {@link FrameEncoder#smallMap(int, int, int)}, 64x64x1 → 16x16x64), a {@link ConvLstm} runs over the
 * maps, and the decoder starts from its output map (no dense bottleneck, which blurs moving
 * objects). {@link #rollout} then re-runs the growing sequence, since {@code ConvLstm} is not a
 * DL4J {@code RecurrentLayer} and {@code rnnTimeStep} cannot carry its state.
 *
 * <pre>{@code
 * NextFrameTask task = NextFrameTask.convLstm(); // ConvLstm 64 filters, k=3, FrameDecoder.small(64, 64, 1)
 * Encoder frames = FrameEncoder.smallMap(64, 64, 1);                 // 64x64x1 -> 64x16x16
 * }</pre>
 */
public final class NextFrameTask implements PretextTask {

  /** Task identifier. */
  public static final String ID = "next-frame";
  /** The vertex that turns the input time series into one image per frame (task part: head/). */
  public static final String FRAMES_VERTEX = VertexNames.head("frames");
  /**
   * The vertex that turns per-frame embeddings into a time series. A vertex of its own, not the
   * LSTM's input preprocessor: DL4J 1.0.0-M2.1's {@code rnnTimeStep} skips layer preprocessors.
   */
  public static final String EMBEDDINGS_VERTEX = VertexNames.head("embeddings");
  /** The recurrent (temporal) layer over frame embeddings. */
  public static final String TEMPORAL_VERTEX = VertexNames.head("lstm");
  /** The convolutional recurrent layer over feature maps (convolutional variant). */
  public static final String CONV_TEMPORAL_VERTEX = VertexNames.head("convlstm");
  /** The vertex that turns the temporal model's output back into one vector per frame. */
  public static final String STEPS_VERTEX = VertexNames.head("steps");
  /** The vertex that turns decoded frames back into a time series for the loss. */
  public static final String SEQUENCE_VERTEX = VertexNames.decoder("sequence");
  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("next-frame-bce");

  private final int hiddenSize;
  private final Decoder decoder;
  private final int convFilters; // 0: the LSTM path
  private final int convKernel;

  private NextFrameTask(Builder b) {
    this.hiddenSize = b.hiddenSize;
    this.decoder = b.decoder;
    this.convFilters = b.convFilters;
    this.convKernel = b.convKernel;
  }

  /** A builder with the defaults: LSTM 512, {@code FrameDecoder.small(64, 64, 1)}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An LSTM of 512 units over frame embeddings (e.g. {@link FrameEncoder#small}), then {@code
   * FrameDecoder.small(64, 64, 1)} per step: the builder's defaults, for 64x64 grey frames.
   */
  public static NextFrameTask lstm() {
    return builder().build();
  }

  /**
   * A ConvLstm with 64 filters and kernel 3 over feature maps (e.g. the 16x16x64 maps of {@link
   * FrameEncoder#smallMap}), then {@code FrameDecoder.small(64, 64, 1)} from the map, for 64x64
   * grey frames.
   */
  public static NextFrameTask convLstm() {
    return builder().convolutional(64, 3).build();
  }

  /** Whether this task uses the convolutional recurrent layer ({@link Builder#convolutional}). */
  public boolean isConvolutional() {
    return convFilters > 0;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    InputType.InputTypeConvolutional frame = frameType(encoder);
    if (isConvolutional()) {
      buildConvolutional(graph, encoder, frame);
      return;
    }
    if (!(encoder.outputType() instanceof InputType.InputTypeFeedForward embedding)) {
      throw new IllegalArgumentException("NextFrameTask needs an encoder with a feed-forward (vector)"
          + " output per frame, got " + encoder.outputType() + " from " + encoder.describe()
          + "; end the encoder with a dense layer or global pooling, e.g. FrameEncoder.small(64, 64, 1)");
    }
    InputType decoded = decoder.outputType(InputType.feedForward(hiddenSize));
    String encoded = addFramesAndEncoder(graph, encoder, frame, decoded);
    graph.addVertex(EMBEDDINGS_VERTEX, new PreprocessorVertex(new FeedForwardToRnnPreProcessor()), encoded);
    graph.addLayer(TEMPORAL_VERTEX,
        new SingleForwardLstm.Builder()
            .nIn(embedding.getSize())
            .nOut(hiddenSize)
            .activation(Activation.TANH)
            .gateActivationFunction(Activation.SIGMOID)
            .build(),
        EMBEDDINGS_VERTEX);
    graph.addVertex(STEPS_VERTEX, new PreprocessorVertex(new RnnToFeedForwardPreProcessor()), TEMPORAL_VERTEX);
    String logits = decoder.addTo(graph, STEPS_VERTEX, InputType.feedForward(hiddenSize));
    addLoss(graph, logits, frame);
  }

  /**
   * Checks that the decoder gives back the frame shape, then adds the graph input (a time series of
   * flattened frames), its reshape to one image per frame and the encoder.
   *
   * @return the encoder's output vertex
   */
  private String addFramesAndEncoder(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder,
      InputType.InputTypeConvolutional frame, InputType decoded) {
    if (!frame.equals(decoded)) {
      throw new IllegalArgumentException("NextFrameTask needs a decoder that returns the frame shape "
          + frame + " (the encoder's input), but " + decoder.describe() + " returns " + decoded
          + "; build the decoder for the same height, width and channels");
    }
    int h = (int) frame.getHeight();
    int w = (int) frame.getWidth();
    int c = (int) frame.getChannels();
    graph.addInputs(VertexNames.INPUT).setInputTypes(InputType.recurrent((long) c * h * w));
    graph.addVertex(FRAMES_VERTEX, new PreprocessorVertex(new SequenceToFrames(h, w, c)), VertexNames.INPUT);
    return encoder.addTo(graph, FRAMES_VERTEX);
  }

  private static void addLoss(ComputationGraphConfiguration.GraphBuilder graph, String logits,
      InputType.InputTypeConvolutional frame) {
    graph.addVertex(SEQUENCE_VERTEX, new PreprocessorVertex(new CnnToRnnPreProcessor(
        frame.getHeight(), frame.getWidth(), frame.getChannels())), logits);
    graph.addLayer(LOSS_VERTEX,
        new RnnLossLayer.Builder().lossFunction(new BinaryCrossEntropy()).activation(Activation.SIGMOID).build(),
        SEQUENCE_VERTEX);
    graph.setOutputs(LOSS_VERTEX);
  }

  /** Encoder map per frame → ConvLstm over the maps → decoder from each output map. */
  private void buildConvolutional(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder,
      InputType.InputTypeConvolutional frame) {
    if (!(encoder.outputType() instanceof InputType.InputTypeConvolutional map)) {
      throw new IllegalArgumentException("NextFrameTask.convolutional needs an encoder with a"
          + " convolutional (feature map) output per frame, got " + encoder.outputType() + " from "
          + encoder.describe() + "; drop the dense layer, e.g. FrameEncoder.builder(...).keepMap() or"
          + " FrameEncoder.smallMap(64, 64, 1)");
    }
    int mh = (int) map.getHeight();
    int mw = (int) map.getWidth();
    int mc = (int) map.getChannels();
    InputType hidden = InputType.convolutional(mh, mw, convFilters);
    InputType decoded = decoder.outputType(hidden);
    String encoded = addFramesAndEncoder(graph, encoder, frame, decoded);
    graph.addVertex(EMBEDDINGS_VERTEX, new PreprocessorVertex(new CnnToRnnPreProcessor(mh, mw, mc)), encoded);
    graph.addLayer(CONV_TEMPORAL_VERTEX,
        ConvLstm.builder(mc, mh, mw, convFilters).kernelSize(convKernel).build(), EMBEDDINGS_VERTEX);
    graph.addVertex(STEPS_VERTEX, new PreprocessorVertex(new RnnToCnnPreProcessor(mh, mw, convFilters)),
        CONV_TEMPORAL_VERTEX);
    String logits = decoder.addTo(graph, STEPS_VERTEX, hidden);
    addLoss(graph, logits, frame);
  }

  private static InputType.InputTypeConvolutional frameType(Encoder encoder) {
    if (!(encoder.inputType() instanceof InputType.InputTypeConvolutional frame)) {
      throw new IllegalArgumentException("NextFrameTask needs a per-frame encoder with convolutional"
          + " input (height, width, channels), got " + encoder.inputType() + " from "
          + encoder.describe() + "; e.g. FrameEncoder.small(64, 64, 1) for 64x64 grey frames");
    }
    return frame;
  }

  /**
   * Context frames as features, next frames as labels, both as time series {@code [n,
   * channels*height*width, time-1]}. Deterministic; uses no randomness.
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    Objects.requireNonNull(examples, "examples");
    checkSequences(examples);
    long t = examples.size(1);
    INDArray series = asTimeSeries(examples);
    INDArray features = series.get(all(), all(), interval(0, t - 1)).dup('c');
    INDArray labels = series.get(all(), all(), interval(1, t)).dup('c');
    return new org.nd4j.linalg.dataset.MultiDataSet(features, labels);
  }

  /**
   * Sequences {@code [n, time, channels, height, width]} as a DL4J time series {@code [n,
   * channels*height*width, time]} (pixels in channel, row, column order).
   */
  public static INDArray asTimeSeries(INDArray sequences) {
    Objects.requireNonNull(sequences, "sequences");
    checkSequences(sequences);
    long n = sequences.size(0);
    long t = sequences.size(1);
    long pixels = sequences.size(2) * sequences.size(3) * sequences.size(4);
    return sequences.reshape('c', n, t, pixels).permute(0, 2, 1).dup('c');
  }

  /** The inverse of {@link #asTimeSeries}: {@code [n, pixels, time]} to {@code [n, time, c, h, w]}. */
  public static INDArray asFrames(INDArray series, long channels, long height, long width) {
    Objects.requireNonNull(series, "series");
    if (series.rank() != 3 || series.size(1) != channels * height * width) {
      throw new IllegalArgumentException("Expected a time series [n, " + channels * height * width
          + ", time] for " + channels + "x" + height + "x" + width + " frames, got "
          + Arrays.toString(series.shape()));
    }
    long n = series.size(0);
    long t = series.size(2);
    return series.permute(0, 2, 1).dup('c').reshape('c', n, t, channels, height, width);
  }

  /**
   * Predicted probabilities of frames 2..T given frames 1..T−1 (teacher forcing), {@code [n,
   * time-1, c, h, w]}.
   *
   * @param graph a graph built by this task (trained)
   * @param sequences {@code [n, time, c, h, w]}, time ≥ 2
   */
  public static INDArray predictNext(ComputationGraph graph, INDArray sequences) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(sequences, "sequences");
    checkSequences(sequences);
    long t = sequences.size(1);
    INDArray context = asTimeSeries(sequences).get(all(), all(), interval(0, t - 1)).dup('c');
    graph.clear(); // DL4J sizes the per-frame reshapes by the last labels' batch if any are left
    INDArray out = graph.outputSingle(false, context);
    return asFrames(out, sequences.size(2), sequences.size(3), sequences.size(4));
  }

  /**
   * Multi-step rollout: reads the context frames, then feeds each prediction back as the next
   * input, for {@code steps} future frames.
   *
   * @param graph a graph built by this task (trained); its recurrent state is cleared before and
   *     after
   * @param context {@code [n, time, c, h, w]}, time ≥ 1
   * @param steps future frames to predict, ≥ 1
   * @return predicted probabilities {@code [n, steps, c, h, w]}
   */
  public static INDArray rollout(ComputationGraph graph, INDArray context, int steps) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(context, "context");
    checkSequences(context, 1);
    if (steps < 1) {
      throw new IllegalArgumentException("rollout steps must be >= 1, got " + steps);
    }
    long c = context.size(2);
    long h = context.size(3);
    long w = context.size(4);
    long n = context.size(0);
    graph.clear(); // DL4J sizes the per-frame reshapes by the last labels' batch if any are left
    if (graph.getConfiguration().getVertices().containsKey(CONV_TEMPORAL_VERTEX)) {
      return rolloutByRerunning(graph, context, steps);
    }
    graph.rnnClearPreviousState();
    try {
      INDArray out = graph.rnnTimeStep(asTimeSeries(context))[0];
      INDArray next = out.get(all(), all(), interval(out.size(2) - 1, out.size(2))).dup('c');
      INDArray predicted = org.nd4j.linalg.factory.Nd4j.create(out.dataType(), n, c * h * w, steps);
      for (int s = 0; s < steps; s++) {
        predicted.get(all(), all(), interval(s, s + 1)).assign(next);
        if (s + 1 < steps) {
          next = graph.rnnTimeStep(next)[0].dup('c');
        }
      }
      return asFrames(predicted, c, h, w);
    } finally {
      graph.rnnClearPreviousState();
    }
  }

  /**
   * Rollout for a temporal layer without {@code rnnTimeStep} state (ConvLstm): predict from the
   * whole sequence so far, append the prediction, repeat ({@code steps} passes over a growing
   * sequence).
   */
  private static INDArray rolloutByRerunning(ComputationGraph graph, INDArray context, int steps) {
    long n = context.size(0);
    long c = context.size(2);
    long h = context.size(3);
    long w = context.size(4);
    INDArray sequence = context.dup('c');
    INDArray predicted = org.nd4j.linalg.factory.Nd4j.create(context.dataType(), n, steps, c, h, w);
    for (int s = 0; s < steps; s++) {
      graph.clear();
      INDArray out = graph.outputSingle(false, asTimeSeries(sequence));
      INDArray next = asFrames(out.get(all(), all(), interval(out.size(2) - 1, out.size(2))).dup('c'), c, h, w)
          .castTo(context.dataType());
      predicted.get(all(), interval(s, s + 1)).assign(next);
      if (s + 1 < steps) {
        sequence = org.nd4j.linalg.factory.Nd4j.concat(1, sequence, next);
      }
    }
    graph.clear();
    return predicted;
  }

  private static void checkSequences(INDArray sequences) {
    checkSequences(sequences, 2);
  }

  private static void checkSequences(INDArray sequences, int minFrames) {
    if (sequences.rank() != 5 || sequences.size(1) < minFrames) {
      throw new IllegalArgumentException("NextFrameTask expects sequences [n, time, channels, height,"
          + " width] with time >= " + minFrames + ", got shape " + Arrays.toString(sequences.shape())
          + "; stack frames per sequence, e.g. MovingFashionMnist gives [n, 11, 1, 64, 64]");
    }
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("temporal", isConvolutional()
        ? "ConvLstm " + convFilters + " filters, kernel " + convKernel : "LSTM " + hiddenSize);
    m.put("decoder", decoder.describe());
    m.put("loss", "binary cross-entropy per pixel (sigmoid), summed over pixels and steps, mean over sequences");
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "NextFrameTask[" + config().get("temporal") + ", " + decoder.describe() + "]";
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex all() {
    return org.nd4j.linalg.indexing.NDArrayIndex.all();
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
    return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
  }

  /** Builder; defaults: LSTM 512, {@code FrameDecoder.small(64, 64, 1)}. */
  public static final class Builder {
    private int hiddenSize = 512;
    private Decoder decoder = FrameDecoder.small(64, 64, 1);
    private int convFilters;
    private int convKernel;

    private Builder() {}

    /**
     * Use a {@link ConvLstm} over the encoder's feature maps instead of an LSTM over frame
     * embeddings (the encoder must output a map, e.g. {@link FrameEncoder#smallMap(int, int, int)}; the decoder
     * must start from a {@code filters}-channel map of the same size, e.g. {@link
     * FrameDecoder#small(int, int, int)} for 64 filters on 16x16). {@link #hiddenSize} is then unused. Default: the
     * LSTM.
     *
     * @param filters ConvLstm output channels, ≥ 1 ({@link NextFrameTask#convLstm()}: 64)
     * @param kernelSize odd kernel size, ≥ 1 ({@link NextFrameTask#convLstm()}: 3)
     */
    public Builder convolutional(int filters, int kernelSize) {
      this.convFilters = filters;
      this.convKernel = kernelSize;
      if (filters < 1 || kernelSize < 1 || kernelSize % 2 == 0) {
        throw new IllegalArgumentException("NextFrameTask.convolutional needs filters >= 1 and an odd"
            + " kernelSize >= 1, got filters=" + filters + ", kernelSize=" + kernelSize
            + "; e.g. convolutional(64, 3)");
      }
      return this;
    }

    /** Units of the LSTM over frame embeddings; default 512. */
    public Builder hiddenSize(int units) {
      this.hiddenSize = units;
      return this;
    }

    /** Per-frame decoder from the LSTM output to frame logits; default {@link FrameDecoder#small(int, int, int)}. */
    public Builder decoder(Decoder decoder) {
      this.decoder = Objects.requireNonNull(decoder, "decoder");
      return this;
    }

    /** @throws IllegalArgumentException if the hidden size is not positive */
    public NextFrameTask build() {
      if (hiddenSize < 1) {
        throw new IllegalArgumentException("NextFrameTask hiddenSize must be >= 1, got " + hiddenSize
            + "; e.g. 512");
      }
      return new NextFrameTask(this);
    }
  }
}
