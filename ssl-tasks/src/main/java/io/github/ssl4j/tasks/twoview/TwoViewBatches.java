package io.github.ssl4j.tasks.twoview;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.Representations;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.tasks.contrastive.InfoNceLoss;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * What every two-view image task does the same way: the batch of two augmented views with image-id
 * labels, and the graph's input, encoder and representation vertex. The batch and its labels are
 * SimSiam's, Barlow Twins' and VICReg's, whose losses ({@link PairedViewLoss}) pair row {@code i}
 * with row {@code N + i}; the image check and the encoder part also serve SimCLR, MoCo v2, BYOL and
 * DINO.
 */
public final class TwoViewBatches {
  private TwoViewBatches() {}

  /**
   * Checks that a view transform makes exactly two views.
   *
   * @param method the method's name for the message, e.g. "SimSiam"
   * @return {@code views}
   * @throws IllegalArgumentException if it makes another number of views
   */
  public static MultiViewTransform requireTwoViews(MultiViewTransform views, String method) {
    Objects.requireNonNull(views, "views");
    if (views.count() != 2) {
      throw new IllegalArgumentException(
          method + " compares exactly 2 views of each image, got a transform making " + views.count()
              + "; use MultiViewTransform.of(augmentation, 2)");
    }
    return views;
  }

  /**
   * Adds the graph input {@link VertexNames#INPUT} with the encoder's input type, the encoder and,
   * for an encoder that outputs a feature map or a sequence, global average pooling.
   *
   * @param method the method's name for the message
   * @return the representation vertex, activations [batch, d]
   * @throws IllegalArgumentException if the encoder does not take images (convolutional input)
   */
  public static String addEncoder(
      ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder, String method) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    if (!(encoder.inputType() instanceof InputType.InputTypeConvolutional)) {
      throw new IllegalArgumentException(
          method + " with image augmentations needs an encoder with convolutional input"
              + " (InputType.convolutional(h, w, c)), got " + encoder.inputType() + " from "
              + encoder.describe());
    }
    graph.addInputs(VertexNames.INPUT).setInputTypes(encoder.inputType());
    String enc = encoder.addTo(graph, VertexNames.INPUT);
    return Representations.addTo(graph, enc, encoder.outputType());
  }

  /**
   * Checks the arguments of an image task's {@code prepare}: a batch of images and a generator.
   *
   * @param method the task's name for the message, e.g. "ByolTask"
   * @throws NullPointerException naming {@code examples} or {@code rng} if one is null
   * @throws IllegalArgumentException if {@code examples} is not shaped [batch, channels, height, width]
   */
  public static void requireImages(INDArray examples, RandomGenerator rng, String method) {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(rng, "rng");
    if (examples.rank() != 4) {
      throw new IllegalArgumentException(
          method + " expects images shaped [batch, channels, height, width], got shape "
              + Arrays.toString(examples.shape()));
    }
  }

  /**
   * Makes the two views and their image-id labels.
   *
   * @param examples images, shape [N, c, h, w], N &gt;= 2; not modified
   * @param views a transform making two views
   * @param method the method's name for messages
   * @return features [2N, c, h, w] (view v of image i at row v·N + i) and labels [2N, 1], the image
   *     id of each row ({@link InfoNceLoss#viewLabels} layout)
   * @throws IllegalArgumentException if the examples are not a batch of at least 2 images
   */
  public static MultiDataSet prepare(INDArray examples, RandomGenerator rng, MultiViewTransform views,
      String method) {
    requireImages(examples, rng, method);
    long n = examples.size(0);
    if (n < 2) {
      throw new IllegalArgumentException(
          method + " needs at least 2 images per batch (its loss uses statistics over the batch), got "
              + n + "; use a batch size of 2 or more");
    }
    INDArray features = requireTwoViews(views, method).apply(examples, rng);
    INDArray labels = InfoNceLoss.viewLabels((int) n, 2, features.dataType());
    return new org.nd4j.linalg.dataset.MultiDataSet(features, labels);
  }
}
