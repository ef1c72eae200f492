package io.github.ssl4j.core.tasks;

import io.github.ssl4j.core.Decoder;
import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.decoders.MlpDecoder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Denoising autoencoder: the encoder sees a corrupted copy of each example and a decoder
 * reconstructs the clean example under a mean-squared-error loss ({@link #LOSS_VERTEX}).
 *
 * <p>A minimal built-in task, used to test the trainer end to end. It accepts encoders with
 * feed-forward input and output (examples shaped [batch, d]).
 *
 * <pre>{@code
 * PretextTask task = DenoisingAutoencoderTask.builder(Noise.gaussian(0.2)).build();
 * task.buildGraph(graphBuilder, encoder);                   // input -> encoder/* -> decoder/* -> loss
 * MultiDataSet batch = task.prepare(examples, rng);         // features noisy, labels clean
 * }</pre>
 */
public final class DenoisingAutoencoderTask implements PretextTask {
  /** Task id stored in checkpoints and metadata. */
  public static final String ID = "denoising-autoencoder";
  /** Name of the MSE loss layer. */
  public static final String LOSS_VERTEX = VertexNames.loss("reconstruction");

  private final Noise noise;
  private final Decoder decoder; // null: MlpDecoder back to the input size, built per encoder

  private DenoisingAutoencoderTask(Builder b) {
    this.noise = b.noise;
    this.decoder = b.decoder;
  }

  /**
   * @param noise the corruption applied to the inputs, e.g. {@link Noise#gaussian(double)} or
   *     {@link Noise#masking(double)}
   */
  public static Builder builder(Noise noise) {
    return new Builder(noise);
  }

  @Override
  public String id() {
    return ID;
  }

  /** The corruption applied to the inputs. */
  public Noise noise() {
    return noise;
  }

  /** The decoder set on the builder; empty means the default (see {@link Builder#decoder}). */
  public Optional<Decoder> decoder() {
    return Optional.ofNullable(decoder);
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    if (!(encoder.inputType() instanceof InputType.InputTypeFeedForward in)) {
      throw new IllegalArgumentException(
          "DenoisingAutoencoderTask needs an encoder with feed-forward input, got "
              + encoder.inputType() + " from " + encoder.describe()
              + "; it reconstructs examples shaped [batch, d]: use an MLP encoder, or flatten the"
              + " examples and the encoder input");
    }
    if (!(encoder.outputType() instanceof InputType.InputTypeFeedForward)) {
      throw new IllegalArgumentException(
          "DenoisingAutoencoderTask needs an encoder with feed-forward output, got "
              + encoder.outputType() + " from " + encoder.describe()
              + "; end the encoder with a dense layer or a global pooling layer");
    }
    long d = in.getSize();
    Decoder dec = decoder != null ? decoder : defaultDecoder(d);
    InputType decoded = dec.outputType(encoder.outputType());
    if (!(decoded instanceof InputType.InputTypeFeedForward out) || out.getSize() != d) {
      throw new IllegalArgumentException(
          "DenoisingAutoencoderTask needs a decoder that reconstructs the encoder input "
              + encoder.inputType() + ", but " + dec.describe() + " produces " + decoded
              + "; set the decoder's output size to " + d);
    }
    graph.addInputs(VertexNames.INPUT).setInputTypes(encoder.inputType());
    String encoded = encoder.addTo(graph, VertexNames.INPUT);
    String reconstruction = dec.addTo(graph, encoded, encoder.outputType());
    graph.addLayer(
        LOSS_VERTEX,
        new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(),
        reconstruction);
    graph.setOutputs(LOSS_VERTEX);
  }

  private static Decoder defaultDecoder(long inputSize) {
    return MlpDecoder.builder(Math.toIntExact(inputSize)).build();
  }

  /**
   * Corrupts the examples.
   *
   * @param examples clean examples, shape [batch, d], floating point; not modified
   * @param rng the source of all noise, consumed in row-major element order
   * @return one feature array (the corrupted copy, shape [batch, d]) and one label array (the clean
   *     examples, a copy, shape [batch, d]); no masks
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(rng, "rng");
    if (examples.rank() != 2) {
      throw new IllegalArgumentException(
          "DenoisingAutoencoderTask expects examples shaped [batch, d], got shape "
              + Arrays.toString(examples.shape()) + "; flatten each example to a vector first");
    }
    if (!examples.dataType().isFPType()) {
      throw new IllegalArgumentException(
          "DenoisingAutoencoderTask expects floating-point examples, got " + examples.dataType()
              + "; cast with examples.castTo(DataType.FLOAT)");
    }
    INDArray clean = examples.dup('c');
    // castTo + dup: a private copy of the values, so the labels stay clean
    double[] values = clean.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    noise.apply(values, rng);
    INDArray noisy = Nd4j.create(values, clean.shape(), 'c').castTo(examples.dataType());
    return new org.nd4j.linalg.dataset.MultiDataSet(noisy, clean);
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.putAll(noise.config());
    m.put("decoder", decoder != null ? decoder.describe() : "default: MlpDecoder to the input size");
    m.put("loss", "mse");
    return Collections.unmodifiableMap(m);
  }

  @Override
  public String toString() {
    return "DenoisingAutoencoderTask" + config();
  }

  /** Corruption applied to the encoder's input. Immutable; randomness comes from the caller. */
  public sealed interface Noise permits Gaussian, Masking {

    /** Additive Gaussian noise with standard deviation {@code sigma} (&gt; 0). */
    static Noise gaussian(double sigma) {
      return new Gaussian(sigma);
    }

    /** Masking (dropout) noise: each value is set to 0 with probability {@code p} in (0, 1). */
    static Noise masking(double p) {
      return new Masking(p);
    }

    /** Corrupts {@code values} in place, drawing one number per value from {@code rng}, in order. */
    void apply(double[] values, RandomGenerator rng);

    /** Settings for {@link PretextTask#config()}. */
    Map<String, Object> config();
  }

  /** Additive Gaussian noise: x + sigma * N(0, 1). */
  public record Gaussian(double sigma) implements Noise {
    public Gaussian {
      if (!(sigma > 0) || Double.isInfinite(sigma)) {
        throw new IllegalArgumentException(
            "Gaussian noise sigma must be finite and > 0, got " + sigma
                + "; typical values are 0.1 to 0.5 of the data's standard deviation");
      }
    }

    @Override
    public void apply(double[] values, RandomGenerator rng) {
      for (int i = 0; i < values.length; i++) {
        values[i] += sigma * rng.nextGaussian();
      }
    }

    @Override
    public Map<String, Object> config() {
      return Map.of("noise", "gaussian", "sigma", sigma);
    }
  }

  /** Masking noise: each value is replaced by 0 with probability p. */
  public record Masking(double p) implements Noise {
    public Masking {
      if (!(p > 0 && p < 1)) {
        throw new IllegalArgumentException(
            "masking noise probability must be in (0, 1), got " + p + "; typical values are 0.1 to 0.5");
      }
    }

    @Override
    public void apply(double[] values, RandomGenerator rng) {
      for (int i = 0; i < values.length; i++) {
        if (rng.nextDouble() < p) {
          values[i] = 0.0;
        }
      }
    }

    @Override
    public Map<String, Object> config() {
      return Map.of("noise", "masking", "probability", p);
    }
  }

  /** Builder for {@link DenoisingAutoencoderTask}. */
  public static final class Builder {
    private final Noise noise;
    private Decoder decoder;

    private Builder(Noise noise) {
      this.noise = Objects.requireNonNull(noise, "noise");
    }

    /**
     * The decoder from the encoder output back to the input; it must produce a feed-forward output of
     * the encoder's input size. Default: {@code MlpDecoder.builder(d).build()}, a single linear dense
     * layer from the representation to the input size d (the mirror of a one-layer encoder).
     */
    public Builder decoder(Decoder decoder) {
      this.decoder = Objects.requireNonNull(decoder, "decoder");
      return this;
    }

    public DenoisingAutoencoderTask build() {
      return new DenoisingAutoencoderTask(this);
    }
  }
}
