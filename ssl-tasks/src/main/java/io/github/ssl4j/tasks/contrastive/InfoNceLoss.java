package io.github.ssl4j.tasks.contrastive;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * NT-Xent / InfoNCE loss (SimCLR) as a parameter-free DL4J output layer.
 *
 * <p><b>Input</b>: embeddings, shape [rows, d], where every row is one view of one image and all
 * views of a batch are in the same minibatch (so a single encoder path with shared weights produces
 * them). <b>Labels</b> (required): image ids, shape [rows, 1]; two rows are a positive pair when
 * they carry the same id. Ids are order-free keys (any finite numbers), so views may be stacked in
 * any order and there may be more than two views per image. For the usual two-view layout — view 1
 * of images 0..N-1 followed by view 2 of the same images, rows i and i+N being a pair — use {@link
 * #viewLabels(int, int, DataType)}.
 *
 * <p><b>Loss</b>: rows are L2-normalised, {@code z = x / sqrt(|x|^2 + 1e-12)}; logits are {@code
 * s_ij = z_i . z_j / temperature}; the self-similarity {@code s_ii} is masked out (with a diagonal
 * mask built from cumulative-sum row ids and {@code eq}, never {@code setDiag}, which crashes the
 * native backend; docs/development/dl4j-workarounds.md, B3). For row i with positives P(i) (rows with the same id, i excluded):
 *
 * <pre>
 *   loss_i = log sum_{k != i} exp(s_ik)  -  (1/|P(i)|) sum_{p in P(i)} s_ip
 * </pre>
 *
 * computed stably by subtracting the row maximum before {@code exp} (not with {@code logSumExp},
 * {@code logSoftmax} or {@code softmaxCrossEntropy}, whose gradients are broken in 1.0.0-M2.1,
 * docs/development/dl4j-workarounds.md, B3). With two views |P(i)| = 1 and this is exactly NT-Xent with 2N-1 candidates per
 * anchor; with more views it is the multi-positive (SupCon "L_out") generalisation.
 *
 * <p><b>Score</b>: the SameDiff graph returns the <em>sum</em> of {@code loss_i} over all rows; DL4J
 * divides scores and gradients of output layers by the minibatch size, so {@code graph.score()} is
 * the <em>mean</em> loss over the rows, and gradients are those of the mean. This is the DL4J
 * convention every built-in loss follows.
 *
 * <p><b>Output</b>: {@code graph.output(...)} of this layer returns its input unchanged (the
 * projected embeddings, shape [rows, d]).
 *
 * <p><b>Validation</b>: the temperature when the layer is built; a non-feed-forward input when the
 * graph's input types are resolved; the batch (rows, label shape, every row has a positive and at
 * least one negative, i.e. at least two distinct images) when a batch reaches the layer during
 * score or gradient computation, since the row count is only known then.
 *
 * <pre>{@code
 * graph.addLayer(VertexNames.loss("infonce"), InfoNceLoss.withTemperature(0.5), projectionOut);
 * // per batch of N images: features [2N, ...], labels InfoNceLoss.viewLabels(N, 2, DataType.FLOAT)
 * }</pre>
 *
 * <p>Immutable in everything this class defines (DL4J's inherited configuration setters, e.g. layer
 * name and updater, are used by DL4J while building the graph).
 */
public final class InfoNceLoss extends SameDiffOutputLayer {

  /** Default temperature, 0.5 (SimCLR's setting for small images). */
  public static final double DEFAULT_TEMPERATURE = 0.5;

  /** Added to the squared row norm before normalising, so an all-zero row gives a zero vector. */
  public static final double NORM_EPSILON = 1e-12;

  private static final String INPUT = "input";

  @JsonProperty("temperature")
  private final double temperature;

  /** For JSON deserialisation only. */
  private InfoNceLoss() {
    this.temperature = DEFAULT_TEMPERATURE;
  }

  private InfoNceLoss(double temperature) {
    this.temperature = checkTemperature(temperature);
  }

  /** The loss with the default temperature {@value #DEFAULT_TEMPERATURE}. */
  public static InfoNceLoss withDefaults() {
    return new InfoNceLoss(DEFAULT_TEMPERATURE);
  }

  /**
   * The loss with the given temperature.
   *
   * @param temperature divides the cosine similarities; finite and &gt; 0 (SimCLR uses 0.1–1.0)
   * @throws IllegalArgumentException if the temperature is not finite and positive
   */
  public static InfoNceLoss withTemperature(double temperature) {
    return new InfoNceLoss(temperature);
  }

  /** The temperature dividing cosine similarities. */
  public double temperature() {
    return temperature;
  }

  /**
   * Image-id labels for {@code views} stacked views of {@code images} images: row {@code v * images
   * + i} (view v of image i) gets id i.
   *
   * @param images number of distinct images N in the batch, at least 2 (one image has no negatives)
   * @param views number of views per image, at least 2 (one view has no positive)
   * @param dataType data type of the network (labels are fed to the loss in that type)
   * @return labels of shape [views * images, 1]
   */
  public static INDArray viewLabels(int images, int views, DataType dataType) {
    if (images < 2) {
      throw new IllegalArgumentException(
          "InfoNCE needs at least 2 images per batch (each image's negatives are the other images), got "
              + images + "; use a batch size of 2 or more");
    }
    if (views < 2) {
      throw new IllegalArgumentException(
          "InfoNCE needs at least 2 views per image (a positive pair), got " + views
              + "; produce 2 views, e.g. with MultiViewTransform");
    }
    double[] ids = new double[images * views];
    for (int r = 0; r < ids.length; r++) {
      ids[r] = r % images;
    }
    return Nd4j.create(ids, new long[] {ids.length, 1}, 'c').castTo(dataType);
  }

  static double checkTemperature(double temperature) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException(
          "InfoNCE temperature must be finite and > 0, got " + temperature
              + "; typical values are 0.1 to 1.0 (default " + DEFAULT_TEMPERATURE + ")");
    }
    return temperature;
  }

  /**
   * Checks one batch before it is scored; called by the runtime layer.
   *
   * @param input embeddings, shape [rows, d]
   * @param labels image ids, shape [rows, 1]
   * @throws IllegalArgumentException describing what is wrong with the batch and how to fix it
   */
  static void checkBatch(INDArray input, INDArray labels) {
    if (input.rank() != 2) {
      throw new IllegalArgumentException(
          "InfoNCE expects embeddings of shape [rows, d], got shape "
              + Arrays.toString(input.shape())
              + "; put a dense/projection layer (or global pooling) before the loss");
    }
    long rows = input.size(0);
    if (labels == null) {
      throw new IllegalArgumentException(
          "InfoNCE needs labels of shape [" + rows + ", 1] holding the image id of each row, got none;"
              + " use InfoNceLoss.viewLabels(images, views, dataType)");
    }
    if (labels.rank() != 2 || labels.size(0) != rows || labels.size(1) != 1) {
      throw new IllegalArgumentException(
          "InfoNCE labels must have shape [" + rows + ", 1] (one image id per embedding row), got "
              + Arrays.toString(labels.shape())
              + "; use InfoNceLoss.viewLabels(images, views, dataType)");
    }
    double[] ids = labels.toDoubleVector();
    Map<Double, Integer> counts = new HashMap<>();
    for (double id : ids) {
      if (!Double.isFinite(id)) {
        throw new IllegalArgumentException(
            "InfoNCE image ids must be finite, got " + id + "; use InfoNceLoss.viewLabels(...)");
      }
      counts.merge(id, 1, Integer::sum);
    }
    for (int r = 0; r < ids.length; r++) {
      if (counts.get(ids[r]) < 2) {
        throw new IllegalArgumentException(
            "InfoNCE row " + r + " (image id " + ids[r] + ") has no positive: every image needs at least"
                + " 2 views in the batch, got " + rows + " rows with " + counts.size()
                + " distinct ids (an odd row count with 2 views means a view is missing);"
                + " stack all views of every image in one batch, e.g. with MultiViewTransform");
      }
    }
    if (counts.size() < 2) {
      throw new IllegalArgumentException(
          "InfoNCE needs at least 2 distinct images per batch (N >= 2) so each row has negatives, got "
              + rows + " rows of a single image id " + ids[0] + "; use a batch size of 2 or more");
    }
  }

  @Override
  public SDVariable defineLayer(
      SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> params) {
    DataType dt = input.dataType();
    // Unit-length rows (slightly below 1, so |s_ij| <= 1/temperature always holds).
    SDVariable sq = input.mul(input).sum(true, 1); // [R, 1]
    SDVariable z = input.mul(sd.math().rsqrt(sq.add(NORM_EPSILON))); // [R, d]
    SDVariable logits = sd.mmul(z, z, false, true, false).div(temperature); // [R, R]

    // Diagonal mask from row ids (1..R) compared with their transpose; no setDiag (B3).
    SDVariable rowIds = sd.cumsum(sd.onesLike(labels, dt), false, false, 0); // [R, 1]
    SDVariable self = rowIds.eq(sd.transpose(rowIds)).castTo(dt); // [R, R], 1 on diagonal
    SDVariable notSelf = self.rsub(1.0);
    SDVariable positive = labels.eq(sd.transpose(labels)).castTo(dt).mul(notSelf); // [R, R]

    // Push the diagonal far below every other logit (all lie in [-1/t, 1/t]), then row max.
    SDVariable masked = logits.sub(self.mul(4.0 / temperature));
    SDVariable rowMax = masked.max(true, 1); // [R, 1]
    SDVariable sumExp = sd.math().exp(masked.sub(rowMax)).mul(notSelf).sum(true, 1); // [R, 1]
    SDVariable logDenominator = sd.math().log(sumExp).add(rowMax); // [R, 1]
    SDVariable positiveLogit =
        logits.mul(positive).sum(true, 1).div(positive.sum(true, 1)); // [R, 1]
    return logDenominator.sub(positiveLogit).sum("infonce_sum");
  }

  /** The layer's output activations are its input, the embeddings [rows, d]. */
  @Override
  public String activationsVertexName() {
    return INPUT;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    // no parameters
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    // no parameters
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeFeedForward)) {
      throw new IllegalArgumentException(
          "InfoNceLoss (layer " + getLayerName() + ") needs feed-forward embeddings [rows, d], got "
              + inputType + "; add a projection head or global pooling before the loss");
    }
    return inputType;
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners,
      int layerIndex,
      INDArray layerParamsView,
      boolean initializeParams,
      DataType networkDataType) {
    InfoNceLossLayer ret = new InfoNceLossLayer(conf, networkDataType);
    ret.setIndex(layerIndex);
    ret.setParamsViewArray(layerParamsView);
    ret.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
    ret.setConf(conf);
    return ret;
  }

  @Override
  public InfoNceLoss clone() {
    return (InfoNceLoss) super.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InfoNceLoss other
        && Double.compare(temperature, other.temperature) == 0
        && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Double.hashCode(temperature);
  }

  @Override
  public String toString() {
    return "InfoNceLoss[temperature=" + temperature + "]";
  }
}
