package io.github.ssl4j.tasks.masked;

import io.github.ssl4j.core.Decoder;
import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.decoders.ConvDecoder;
import io.github.ssl4j.core.encoders.ConvEncoder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Masked image modelling: hide patches of each image, let an encoder that keeps a
 * spatial feature map and a convolutional {@link Decoder} inpaint them, and score the squared error
 * on the hidden pixels only.
 *
 * <p>The encoder sees C + 1 channels: the image with hidden pixels set to 0, then the mask (1 =
 * hidden). The labels are the clean images and the labels mask is the pixel mask, so the {@link
 * CnnLossLayer} ({@link #LOSS_VERTEX}, MSE after the output activation) ignores visible pixels
 * exactly: they contribute zero to the loss and to every gradient. As DL4J scores a CNN loss layer,
 * the training loss is the squared error summed over the hidden pixels and averaged over images
 * (with 25 hidden 4x4 patches, 400 hidden pixels per image, that is 400 × the masked-pixel MSE);
 * {@link #maskedPixelMse} gives the mean per hidden pixel.
 *
 * <p>For a representation, feed the unmasked image with an empty mask channel ({@link
 * #withEmptyMask}) and pool the encoder's feature map (the fine-tune adapter and evaluation do the
 * pooling).
 *
 * <pre>{@code
 * PretextTask task = MaskedImageTask.inpainting();   // 4x4 patches, 50 %, ConvDecoder.small(), sigmoid
 * Encoder enc = ConvEncoder.builder(28, 28, 2).globalPool(false).build();
 * }</pre>
 */
public final class MaskedImageTask implements PretextTask {

  /** Task identifier. */
  public static final String ID = "masked-image";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("masked-mse");

  private final MaskGenerator masks;
  private final Decoder decoder;
  private final Activation outputActivation;

  private MaskedImageTask(Builder b) {
    this.masks = b.masks;
    this.decoder = b.decoder;
    this.outputActivation = b.outputActivation;
  }

  /**
   * A builder with the defaults: {@code RandomPatchMask.of(4, 0.5)}, {@link ConvDecoder#small()},
   * sigmoid output activation.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Patch inpainting with the builder's defaults: {@code RandomPatchMask.of(4, 0.5)} (25 of the 49
   * 4x4 patches of a 28x28 image), {@link ConvDecoder#small()} and a sigmoid output, for images
   * whose pixels are in [0, 1]. Pair it with {@link #smallCnnEncoder}.
   */
  public static MaskedImageTask inpainting() {
    return builder().build();
  }

  /**
   * An encoder for this task: {@link ConvEncoder#small}'s widths (32, 64, 128) on {@code
   * imageChannels + 1} input channels (the image and the mask channel), without global pooling so
   * the feature map is kept (7x7x128 for 28x28 images).
   *
   * @param height image height in pixels, &gt; 0
   * @param width image width in pixels, &gt; 0
   * @param imageChannels channels of the image without the mask channel, &gt; 0
   */
  public static ConvEncoder smallCnnEncoder(int height, int width, int imageChannels) {
    return ConvEncoder.builder(height, width, imageChannels + 1).globalPool(false).build();
  }

  /** The mask generator. */
  public MaskGenerator masks() {
    return masks;
  }

  /** The decoder from the encoder's feature map to the image. */
  public Decoder decoder() {
    return decoder;
  }

  /** Activation the loss layer applies to the decoder output before the squared error. */
  public Activation outputActivation() {
    return outputActivation;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    if (!(encoder.inputType() instanceof InputType.InputTypeConvolutional in)
        || in.getChannels() < 2) {
      throw new IllegalArgumentException(
          "MaskedImageTask needs an encoder with convolutional input of image channels + 1 (the"
              + " mask channel), at least 2, got " + encoder.inputType() + " from "
              + encoder.describe() + "; e.g. ConvEncoder.builder(28, 28, 2).globalPool(false) for"
              + " grey 28x28 images");
    }
    if (!(encoder.outputType() instanceof InputType.InputTypeConvolutional)) {
      throw new IllegalArgumentException(
          "MaskedImageTask needs an encoder that keeps a spatial feature map (convolutional"
              + " output), got " + encoder.outputType() + " from " + encoder.describe()
              + "; build it without global pooling, e.g. ConvEncoder.builder(h, w, c).globalPool(false)");
    }
    InputType image = InputType.convolutional(in.getHeight(), in.getWidth(), in.getChannels() - 1);
    InputType decoded = decoder.outputType(encoder.outputType());
    if (!image.equals(decoded)) {
      throw new IllegalArgumentException(
          "MaskedImageTask needs a decoder that returns the image shape " + image + " (the encoder"
              + " input minus the mask channel), but " + decoder.describe() + " turns the encoder"
              + " output " + encoder.outputType() + " into " + decoded
              + "; change the decoder's upsampling stages or output channels to match");
    }
    // the mask against the image size now, not at the first batch (e.g. a patch grid that would
    // hide every pixel)
    masks.sample(1, (int) in.getHeight(), (int) in.getWidth(), new java.util.SplittableRandom(0));
    graph.addInputs(VertexNames.INPUT).setInputTypes(encoder.inputType());
    String encoded = encoder.addTo(graph, VertexNames.INPUT);
    String reconstruction = decoder.addTo(graph, encoded, encoder.outputType());
    graph.addLayer(
        LOSS_VERTEX,
        new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
            .activation(outputActivation)
            .build(),
        reconstruction);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * Masks a batch of images.
   *
   * @param examples images, shape [n, c, h, w], floating point; not modified
   * @return one feature array [n, c + 1, h, w] (the image with hidden pixels set to 0, then the
   *     mask), one label array (the clean images, a copy) and one labels mask [n, 1, h, w] (1 =
   *     hidden: scored)
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(rng, "rng");
    checkImages(examples);
    int n = Math.toIntExact(examples.size(0));
    int h = Math.toIntExact(examples.size(2));
    int w = Math.toIntExact(examples.size(3));
    INDArray mask = masks.sample(n, h, w, rng);
    if (!Arrays.equals(mask.shape(), new long[] {n, 1, h, w})) {
      throw new IllegalStateException(
          masks + " returned a mask of shape " + Arrays.toString(mask.shape()) + ", expected "
              + Arrays.toString(new long[] {n, 1, h, w}) + "; fix the MaskGenerator");
    }
    INDArray features = maskedInput(examples, mask);
    INDArray labels = examples.dup('c');
    INDArray labelsMask = mask.castTo(examples.dataType());
    return new org.nd4j.linalg.dataset.MultiDataSet(
        new INDArray[] {features}, new INDArray[] {labels}, null, new INDArray[] {labelsMask});
  }

  /**
   * The encoder input for images and a pixel mask: hidden pixels (mask 1) set to 0 in every channel,
   * the mask appended as the last channel.
   *
   * @param images shape [n, c, h, w], floating point
   * @param mask shape [n, 1, h, w], values 0 (visible) or 1 (hidden)
   * @return shape [n, c + 1, h, w], the images' data type
   */
  public static INDArray maskedInput(INDArray images, INDArray mask) {
    checkImages(images);
    long n = images.size(0);
    long h = images.size(2);
    long w = images.size(3);
    if (mask.rank() != 4 || mask.size(0) != n || mask.size(1) != 1 || mask.size(2) != h
        || mask.size(3) != w) {
      throw new IllegalArgumentException(
          "mask must have shape [" + n + ", 1, " + h + ", " + w + "] for images of shape "
              + Arrays.toString(images.shape()) + ", got " + Arrays.toString(mask.shape()));
    }
    int c = Math.toIntExact(images.size(1));
    int plane = Math.toIntExact(h * w);
    float[] x = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
    float[] m = mask.castTo(DataType.FLOAT).dup('c').data().asFloat();
    float[] out = new float[Math.toIntExact(n * (c + 1) * plane)];
    for (int i = 0; i < n; i++) {
      int mOff = i * plane;
      int outOff = i * (c + 1) * plane;
      for (int ch = 0; ch < c; ch++) {
        int xOff = (i * c + ch) * plane;
        int oOff = outOff + ch * plane;
        for (int p = 0; p < plane; p++) {
          out[oOff + p] = m[mOff + p] != 0f ? 0f : x[xOff + p];
        }
      }
      System.arraycopy(m, mOff, out, outOff + c * plane, plane);
    }
    return Nd4j.create(out, new long[] {n, c + 1, h, w}, 'c').castTo(images.dataType());
  }

  /**
   * The encoder input for representation use (probe, kNN, fine-tuning): the unmasked images and an
   * all-zero mask channel.
   *
   * @param images shape [n, c, h, w], floating point
   * @return shape [n, c + 1, h, w]
   */
  public static INDArray withEmptyMask(INDArray images) {
    checkImages(images);
    INDArray empty = Nd4j.zeros(images.dataType(), images.size(0), 1, images.size(2), images.size(3));
    return maskedInput(images, empty);
  }

  /**
   * Mean squared error per hidden pixel: sum over hidden pixels and
   * channels of (prediction − target)² divided by the number of hidden pixel values.
   *
   * @param predictions output of the loss layer (after the output activation), [n, c, h, w]
   * @param targets clean images, [n, c, h, w]
   * @param mask [n, 1, h, w], 1 = hidden
   * @return {sum of squared errors over hidden values, number of hidden values}, so callers can
   *     accumulate over batches
   */
  public static double[] maskedSquaredError(INDArray predictions, INDArray targets, INDArray mask) {
    Objects.requireNonNull(predictions, "predictions");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(mask, "mask");
    if (!Arrays.equals(predictions.shape(), targets.shape())) {
      throw new IllegalArgumentException(
          "predictions " + Arrays.toString(predictions.shape()) + " and targets "
              + Arrays.toString(targets.shape()) + " must have the same shape");
    }
    int n = Math.toIntExact(targets.size(0));
    int c = Math.toIntExact(targets.size(1));
    int plane = Math.toIntExact(targets.size(2) * targets.size(3));
    double[] p = predictions.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] t = targets.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] m = mask.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    if (m.length != (long) n * plane) {
      throw new IllegalArgumentException(
          "mask must have shape [" + n + ", 1, " + targets.size(2) + ", " + targets.size(3)
              + "], got " + Arrays.toString(mask.shape()));
    }
    double se = 0;
    double count = 0;
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        int off = (i * c + ch) * plane;
        for (int q = 0; q < plane; q++) {
          double mq = m[i * plane + q];
          if (mq != 0) {
            double d = p[off + q] - t[off + q];
            se += mq * d * d;
            count += mq;
          }
        }
      }
    }
    return new double[] {se, count};
  }

  /** {@link #maskedSquaredError} as a mean; NaN when nothing is hidden. */
  public static double maskedPixelMse(INDArray predictions, INDArray targets, INDArray mask) {
    Objects.requireNonNull(predictions, "predictions");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(mask, "mask");
    double[] s = maskedSquaredError(predictions, targets, mask);
    return s[0] / s[1];
  }

  private static void checkImages(INDArray images) {
    Objects.requireNonNull(images, "images");
    if (images.rank() != 4) {
      throw new IllegalArgumentException(
          "MaskedImageTask expects images shaped [batch, channels, height, width], got shape "
              + Arrays.toString(images.shape()) + "; reshape flat images, e.g. x.reshape(n, 1, 28, 28)");
    }
    if (!images.dataType().isFPType()) {
      throw new IllegalArgumentException(
          "MaskedImageTask expects floating-point images, got " + images.dataType()
              + "; cast with images.castTo(DataType.FLOAT) and scale to [0, 1]");
    }
    if (images.size(0) < 1) {
      throw new IllegalArgumentException("MaskedImageTask got an empty batch (0 images); expected at least 1:"
          + " check the data source and the batch size");
    }
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("mask", masks.config());
    m.put("decoder", decoder.describe());
    m.put("outputActivation", outputActivation.name());
    m.put("loss", "squared error over masked pixels, summed per image, mean over images");
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "MaskedImageTask" + config();
  }

  /** Builder; defaults as listed at {@link MaskedImageTask#builder()}. */
  public static final class Builder {
    private MaskGenerator masks = RandomPatchMask.of(4, 0.5);
    private Decoder decoder = ConvDecoder.small();
    private Activation outputActivation = Activation.SIGMOID;

    private Builder() {}

    /** Which pixels to hide; default {@code RandomPatchMask.of(4, 0.5)}. */
    public Builder masks(MaskGenerator masks) {
      this.masks = Objects.requireNonNull(masks, "masks");
      return this;
    }

    /**
     * Decoder from the encoder's feature map to the image (the encoder input minus the mask
     * channel); default {@link ConvDecoder#small()} (7x7 → 28x28, one channel).
     */
    public Builder decoder(Decoder decoder) {
      this.decoder = Objects.requireNonNull(decoder, "decoder");
      return this;
    }

    /**
     * Output activation applied in the loss layer; default {@link Activation#SIGMOID} for pixels
     * in [0, 1]; {@link Activation#IDENTITY} for standardised or unbounded inputs.
     */
    public Builder outputActivation(Activation activation) {
      this.outputActivation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /** Builds the immutable task. */
    public MaskedImageTask build() {
      return new MaskedImageTask(this);
    }
  }
}
