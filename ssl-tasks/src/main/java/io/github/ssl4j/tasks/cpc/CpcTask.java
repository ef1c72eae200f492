package io.github.ssl4j.tasks.cpc;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.SequenceToFrames;
import io.github.ssl4j.core.layers.SingleForwardLstm;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Contrastive Predictive Coding (van den Oord et al. 2018) on clips: a per-frame {@link Encoder}
 * turns every frame into a latent code {@code z_t}, an LSTM over the codes gives the context {@code
 * c_t}, a linear map per step {@code W_k} (no bias) predicts the code k steps ahead, {@code W_k c_t ≈
 * z_{t+k}} for k = 1..steps, and {@link CpcLoss} scores each prediction with InfoNCE against the
 * codes of every clip at every time step in the batch.
 *
 * <p>Examples are clips {@code [n, time, channels, height, width]} (e.g. {@code MovingFashionMnist}),
 * time ≥ 2; the graph input is the clip as a DL4J time series {@code [n, channels*height*width,
 * time]} ({@link NextFrameTask#asTimeSeries}). The encoder's input type must be {@code
 * convolutional(height, width, channels)} and its output feed-forward (the code, e.g. {@code
 * FrameEncoder.small(64, 64, 1)}). The labels {@code prepare} gives are clip ids 0..n−1 {@code [n,
 * 1]}. Batches need at least 2 clips for negatives from other clips; larger batches give more.
 *
 * <pre>{@code
 * CpcTask task = CpcTask.defaults();                      // LSTM 256, 3 steps ahead
 * Encoder frames = FrameEncoder.small(64, 64, 1);        // 64x64x1 -> 512 per frame
 * TrainingResult r = new Trainer(config).fit(task, frames, clips);
 * PretrainedEncoder perFrame = r.pretrainedEncoder();    // single frames -> 512
 * }</pre>
 */
public final class CpcTask implements PretextTask {
  /** Task identifier. */
  public static final String ID = "cpc";
  /** The vertex that turns the input time series into one image per frame. */
  public static final String FRAMES_VERTEX = VertexNames.head("frames");
  /** The per-frame codes as a sequence {@code [n, d, T]}. */
  public static final String CODES_VERTEX = VertexNames.head("codes");
  /** The autoregressive context network (LSTM) over the codes. */
  public static final String CONTEXT_VERTEX = VertexNames.head("context");
  /** The context as one row per clip and time step. */
  public static final String CONTEXT_STEPS_VERTEX = VertexNames.head("context-steps");
  /** The linear predictions {@code W_1 c_t .. W_steps c_t}, one dense layer without bias. */
  public static final String PREDICTIONS_VERTEX = VertexNames.head("predictions");
  /** The predictions as a sequence {@code [n, steps*d, T]}. */
  public static final String PREDICTION_SEQUENCE_VERTEX = VertexNames.head("prediction-sequence");
  /** Predictions and codes merged for the loss, {@code [n, (steps+1)*d, T]}. */
  public static final String MERGED_VERTEX = VertexNames.head("predictions-and-codes");
  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("cpc-infonce");

  private final int contextSize;
  private final int steps;

  private CpcTask(Builder b) {
    this.contextSize = b.contextSize;
    this.steps = b.steps;
  }

  /** A builder with the defaults: LSTM 256, 3 steps ahead. */
  public static Builder builder() {
    return new Builder();
  }

  /** An LSTM of 256 units as context network, predicting 1, 2 and 3 steps ahead. */
  public static CpcTask defaults() {
    return builder().build();
  }

  /** Units of the context LSTM. */
  public int contextSize() {
    return contextSize;
  }

  /** How many steps ahead are predicted. */
  public int steps() {
    return steps;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    if (!(encoder.inputType() instanceof InputType.InputTypeConvolutional frame)) {
      throw new IllegalArgumentException("CpcTask needs a per-frame encoder with convolutional input"
          + " (height, width, channels), got " + encoder.inputType() + " from " + encoder.describe()
          + "; e.g. FrameEncoder.small(64, 64, 1) for 64x64 grey frames");
    }
    if (!(encoder.outputType() instanceof InputType.InputTypeFeedForward code)) {
      throw new IllegalArgumentException("CpcTask needs an encoder with a feed-forward (vector) code per"
          + " frame, got " + encoder.outputType() + " from " + encoder.describe()
          + "; end the encoder with a dense layer or global pooling, e.g. FrameEncoder.small(64, 64, 1)");
    }
    int d = Math.toIntExact(code.getSize());
    long h = frame.getHeight();
    long w = frame.getWidth();
    long c = frame.getChannels();
    graph.addInputs(VertexNames.INPUT).setInputTypes(InputType.recurrent(c * h * w));
    graph.addVertex(FRAMES_VERTEX, new PreprocessorVertex(new SequenceToFrames((int) h, (int) w, (int) c)), VertexNames.INPUT);
    String encoded = encoder.addTo(graph, FRAMES_VERTEX);
    graph.addVertex(CODES_VERTEX, new PreprocessorVertex(new FeedForwardToRnnPreProcessor()), encoded);
    graph.addLayer(CONTEXT_VERTEX,
        new SingleForwardLstm.Builder().nIn(d).nOut(contextSize).activation(Activation.TANH)
            .gateActivationFunction(Activation.SIGMOID).build(),
        CODES_VERTEX);
    graph.addVertex(CONTEXT_STEPS_VERTEX, new PreprocessorVertex(new RnnToFeedForwardPreProcessor()), CONTEXT_VERTEX);
    graph.addLayer(PREDICTIONS_VERTEX,
        new DenseLayer.Builder().nIn(contextSize).nOut((long) steps * d).hasBias(false)
            .activation(Activation.IDENTITY).build(),
        CONTEXT_STEPS_VERTEX);
    graph.addVertex(PREDICTION_SEQUENCE_VERTEX, new PreprocessorVertex(new FeedForwardToRnnPreProcessor()),
        PREDICTIONS_VERTEX);
    graph.addVertex(MERGED_VERTEX, new MergeVertex(), PREDICTION_SEQUENCE_VERTEX, CODES_VERTEX);
    graph.addLayer(LOSS_VERTEX, CpcLoss.of(d, steps), MERGED_VERTEX);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * The clips as a time series {@code [n, channels*height*width, time]} and clip ids 0..n−1 {@code
   * [n, 1]}. Deterministic; uses no randomness.
   *
   * @param examples clips {@code [n, time, channels, height, width]}, n ≥ 2, time ≥ 2
   * @throws IllegalArgumentException for another shape
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    Objects.requireNonNull(examples, "examples");
    if (examples.rank() != 5 || examples.size(0) < 2 || examples.size(1) < 2) {
      throw new IllegalArgumentException("CpcTask expects clips [n, time, channels, height, width] with"
          + " n >= 2 (other clips are the negatives) and time >= 2, got shape "
          + Arrays.toString(examples.shape()) + "; e.g. MovingFashionMnist gives [n, 11, 1, 64, 64]");
    }
    INDArray series = NextFrameTask.asTimeSeries(examples);
    INDArray ids = Nd4j.arange(examples.size(0)).castTo(DataType.FLOAT).reshape(examples.size(0), 1);
    return new org.nd4j.linalg.dataset.MultiDataSet(series, ids);
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("context", "LSTM " + contextSize);
    m.put("steps", steps);
    m.put("loss", "InfoNCE of W_k c_t against the codes of every clip and time step in the batch, mean over"
        + " predictions");
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "CpcTask[LSTM " + contextSize + ", " + steps + " steps ahead]";
  }

  /** Builder; defaults: LSTM 256, 3 steps ahead. */
  public static final class Builder {
    private int contextSize = 256;
    private int steps = 3;

    private Builder() {}

    /** Units of the context LSTM, ≥ 1; default 256. */
    public Builder contextSize(int units) {
      this.contextSize = units;
      return this;
    }

    /** Steps ahead predicted (k = 1..steps), ≥ 1; default 3. Anchors with t + k past the clip are skipped. */
    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    /** @throws IllegalArgumentException if a size is below 1 */
    public CpcTask build() {
      if (contextSize < 1 || steps < 1) {
        throw new IllegalArgumentException("CpcTask needs contextSize >= 1 and steps >= 1, got contextSize="
            + contextSize + ", steps=" + steps + "; e.g. contextSize(256).steps(3)");
      }
      return new CpcTask(this);
    }
  }
}
