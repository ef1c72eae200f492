package io.github.ssl4j.tasks.nextframe;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.SequenceToFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;

/**
 * A clip encoder made of a per-frame encoder: each frame of a clip goes through the same frame
 * encoder, and the clip's representation is the mean of the per-frame codes over time (the
 * global average pool that {@code PretrainedEncoder} puts after a sequence output).
 *
 * <p>Input: a clip as a DL4J time series {@code [n, channels*height*width, time]} ({@link
 * NextFrameTask#asTimeSeries}); output: the per-frame codes as a sequence {@code [n, d, time]}.
 * The frame encoder must have a convolutional input and a feed-forward output of size d (e.g.
 * {@link FrameEncoder#small}) or a feature map of d channels, then averaged over the map ({@link
 * #FRAME_POOL_VERTEX}; e.g. {@link FrameEncoder#smallMap}). Its vertices keep their names, so a clip encoder can be cut out of
 * any graph trained with the same frame encoder (next-frame prediction, CPC):
 *
 * <pre>{@code
 * FrameEncoder frames = FrameEncoder.small(64, 64, 1);
 * TrainingResult r = new Trainer(config).fit(CpcTask.defaults(), frames, clips);
 * ClipEncoder clip = ClipEncoder.of(frames);
 * PretrainedEncoder clips = PretrainedEncoder.from(r.graph(), clip, clip.metadata(r.metadata()));
 * INDArray z = clips.embed(NextFrameTask.asTimeSeries(sequences)); // [n, 512]
 * }</pre>
 */
public final class ClipEncoder implements Encoder {
  /** The vertex that turns the input time series into one image per frame. */
  public static final String FRAMES_VERTEX = VertexNames.encoder("frames");
  /** Global average pooling of a frame encoder's feature map (only for an encoder with a map output). */
  public static final String FRAME_POOL_VERTEX = VertexNames.encoder("frame-pool");
  /** The vertex that turns the per-frame codes back into a sequence (the encoder output). */
  public static final String CODES_VERTEX = VertexNames.encoder("codes");

  private final Encoder frames;
  private final InputType.InputTypeConvolutional frame;
  private final long codeSize;

  private ClipEncoder(Encoder frames, InputType.InputTypeConvolutional frame, long codeSize) {
    this.frames = frames;
    this.frame = frame;
    this.codeSize = codeSize;
  }

  /**
   * @param frames the per-frame encoder: convolutional input, feed-forward output
   * @throws IllegalArgumentException if the frame encoder has another input or output type
   */
  public static ClipEncoder of(Encoder frames) {
    Objects.requireNonNull(frames, "frames");
    if (!(frames.inputType() instanceof InputType.InputTypeConvolutional frame)) {
      throw new IllegalArgumentException("ClipEncoder needs a frame encoder with convolutional input"
          + " (height, width, channels), got " + frames.inputType() + " from " + frames.describe()
          + "; e.g. FrameEncoder.small(64, 64, 1)");
    }
    if (frames.outputType() instanceof InputType.InputTypeFeedForward code) {
      return new ClipEncoder(frames, frame, code.getSize());
    }
    if (frames.outputType() instanceof InputType.InputTypeConvolutional map) {
      return new ClipEncoder(frames, frame, map.getChannels());
    }
    throw new IllegalArgumentException("ClipEncoder needs a frame encoder with a feed-forward (vector)"
        + " or feature-map output, got " + frames.outputType() + " from " + frames.describe()
        + "; e.g. FrameEncoder.small(64, 64, 1)");
  }

  /** The per-frame encoder. */
  public Encoder frameEncoder() {
    return frames;
  }

  /**
   * Metadata for this clip encoder from the metadata of the run that trained its frame encoder
   * (same task, seed and steps; this encoder's description, input type, blocks and size).
   */
  public io.github.ssl4j.core.ModelMetadata metadata(io.github.ssl4j.core.ModelMetadata trained) {
    Objects.requireNonNull(trained, "trained");
    return new io.github.ssl4j.core.ModelMetadata(trained.taskId(), trained.taskConfig(), describe(),
        inputType().toString(), blockOutputs(), representationSize(), trained.seed(), trained.trainingSteps(),
        trained.ssl4jVersion(), trained.dl4jVersion(), trained.createdAt());
  }

  @Override
  public InputType inputType() {
    return InputType.recurrent(frame.getChannels() * frame.getHeight() * frame.getWidth());
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    graph.addVertex(FRAMES_VERTEX, new PreprocessorVertex(new SequenceToFrames(
        (int) frame.getHeight(), (int) frame.getWidth(), (int) frame.getChannels())), input);
    String encoded = frames.addTo(graph, FRAMES_VERTEX);
    if (frames.outputType() instanceof InputType.InputTypeConvolutional) {
      graph.addLayer(FRAME_POOL_VERTEX, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), encoded);
      encoded = FRAME_POOL_VERTEX;
    }
    graph.addVertex(CODES_VERTEX, new PreprocessorVertex(new FeedForwardToRnnPreProcessor()), encoded);
    return CODES_VERTEX;
  }

  @Override
  public InputType outputType() {
    return InputType.recurrent(codeSize);
  }

  @Override
  public List<String> blockOutputs() {
    List<String> blocks = new ArrayList<>(frames.blockOutputs());
    blocks.set(blocks.size() - 1, CODES_VERTEX); // the last frame block ends in the sequence of codes
    return List.copyOf(blocks);
  }

  @Override
  public String toString() {
    return "ClipEncoder[mean over frames of " + frames.describe() + "]";
  }
}
