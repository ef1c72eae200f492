package io.github.ssl4j.tasks.contrastive;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import io.github.ssl4j.tasks.twoview.TwoViewBatches;

/**
 * SimCLR contrastive pretext task (Chen et al. 2020): two augmented views per image, an encoder, a
 * projection head and the InfoNCE (NT-Xent) loss.
 *
 * <pre>{@code
 * PretextTask task = ContrastiveTask.simclr();
 * }</pre>
 */
public final class ContrastiveTask implements PretextTask {

  /** Task identifier. */
  public static final String ID = "contrastive";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("infonce");

  private final double temperature;
  private final ProjectionHead head;
  private final MultiViewTransform views;

  private ContrastiveTask(Builder b) {
    this.temperature = b.temperature;
    this.head = b.head;
    this.views = b.views;
  }

  /**
   * A builder with the defaults of {@link #simclr()}: temperature 0.5, {@link
   * ProjectionHead#simclr()}, {@link MultiViewTransform#simclr()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * SimCLR for small grey images: NT-Xent with temperature 0.5 (SimCLR's CIFAR-10 setting), the
   * projection head {@link ProjectionHead#simclr()} and two views by {@link
   * MultiViewTransform#simclr()} (see {@link io.github.ssl4j.tasks.contrastive.augment.Compose#simclr()}
   * for where the augmentations deviate from the paper's).
   */
  public static ContrastiveTask simclr() {
    return builder().build();
  }

  /**
   * SimCLR for images of this channel count and size: as {@link #simclr()}, with the views of
   * {@link MultiViewTransform#simclr(int, int, int)} (for RGB the paper's full augmentation set).
   *
   * @param channels image channels (3 = RGB)
   * @param height image height in pixels
   * @param width image width in pixels
   */
  public static ContrastiveTask simclr(int channels, int height, int width) {
    return builder().views(MultiViewTransform.simclr(channels, height, width)).build();
  }

  /** The InfoNCE temperature. */
  public double temperature() {
    return temperature;
  }

  /** The projection head. */
  public ProjectionHead projectionHead() {
    return head;
  }

  /** The view transform. */
  public MultiViewTransform views() {
    return views;
  }

  /**
   * Vertices this task adds on top of the representation (projection head, then the loss), so
   * fine-tuning can remove them by name.
   */
  public List<String> pretextVertexNames() {
    List<String> out = new ArrayList<>(head.vertexNames());
    out.add(LOSS_VERTEX);
    return List.copyOf(out);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    String rep = TwoViewBatches.addEncoder(graph, encoder, "ContrastiveTask");
    String z = head.addTo(graph, rep);
    graph.addLayer(LOSS_VERTEX, InfoNceLoss.withTemperature(temperature), z);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * Makes the views and the image-id labels.
   *
   * @param examples images, shape [n, c, h, w], n at least 2; not modified
   * @return features of shape [views * n, c, h, w] (view v of image i at row v * n + i) and labels
   *     of shape [views * n, 1] holding the image id
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    TwoViewBatches.requireImages(examples, rng, "ContrastiveTask");
    long n = examples.size(0);
    if (n < 2) {
      throw new IllegalArgumentException(
          "ContrastiveTask needs at least 2 images per batch (the other images are the negatives),"
              + " got " + n + "; use a batch size of 2 or more");
    }
    INDArray features = views.apply(examples, rng);
    INDArray labels = InfoNceLoss.viewLabels((int) n, views.count(), features.dataType());
    return new org.nd4j.linalg.dataset.MultiDataSet(features, labels);
  }

  /**
   * {@code ln(V * batchSize - 1)} for V views per image ({@code ln(2N-1)} with two views): the
   * InfoNCE loss when every logit of a row is equal, i.e. every embedding alike — a collapsed
   * encoder. The trainer stops a run whose loss stays there ({@link
   * io.github.ssl4j.core.train.DivergenceLimits#chanceLossSteps()}).
   */
  @Override
  public OptionalDouble chanceLoss(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    return OptionalDouble.of(Math.log((double) views.count() * batchSize - 1));
  }

  /** The projection head's output: the embeddings the InfoNCE loss compares. */
  @Override
  public Optional<String> embeddingVertex() {
    return Optional.of(head.outputVertex());
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("temperature", temperature);
    m.put("headWidths", Arrays.stream(head.widths()).boxed().toList());
    m.put("views", views.count());
    m.put("augmentation", views.toString());
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "ContrastiveTask" + config();
  }

  /** Builder; defaults: temperature 0.5, {@link ProjectionHead#simclr()}, {@link MultiViewTransform#simclr()}. */
  public static final class Builder {
    private double temperature = InfoNceLoss.DEFAULT_TEMPERATURE;
    private ProjectionHead head = ProjectionHead.simclr();
    private MultiViewTransform views = MultiViewTransform.simclr();

    private Builder() {}

    /** InfoNCE temperature, finite and &gt; 0; default 0.5. */
    public Builder temperature(double temperature) {
      if (!(temperature > 0) || !Double.isFinite(temperature)) {
        throw new IllegalArgumentException(
            "temperature must be finite and > 0, got " + temperature + "; SimCLR uses 0.5");
      }
      this.temperature = temperature;
      return this;
    }

    /** Projection head; default {@link ProjectionHead#simclr()}. */
    public Builder projectionHead(ProjectionHead head) {
      this.head = Objects.requireNonNull(head, "projectionHead");
      return this;
    }

    /** View transform; default {@link MultiViewTransform#simclr()}. */
    public Builder views(MultiViewTransform views) {
      this.views = Objects.requireNonNull(views, "views");
      return this;
    }

    /** Builds the immutable task. */
    public ContrastiveTask build() {
      return new ContrastiveTask(this);
    }
  }
}
