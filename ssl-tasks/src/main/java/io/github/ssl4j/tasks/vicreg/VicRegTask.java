package io.github.ssl4j.tasks.vicreg;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.twoview.TwoViewBatches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * VICReg (Bardes, Ponce, LeCun 2022): two augmented views of each image, the shared encoder and an
 * expander (projector); {@link VicRegLoss} keeps the two views' embeddings close (invariance), every
 * embedding dimension's standard deviation over the batch at 1 or more (variance) and the
 * dimensions decorrelated (covariance). No negatives, no predictor, no stop-gradient.
 *
 * <p>Graph: {@code input → encoder → representation → head/proj… → loss/vicreg}. Batches: {@link
 * TwoViewBatches#prepare}, features [2N, c, h, w], labels [2N, 1].
 *
 * <pre>{@code
 * PretextTask task = VicRegTask.vicreg();
 * }</pre>
 */
public final class VicRegTask implements PretextTask {

  /** Task identifier. */
  public static final String ID = "vicreg";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("vicreg");

  private final VicRegLoss loss;
  private final ProjectionHead projector;
  private final MultiViewTransform views;

  private VicRegTask(Builder b) {
    this.loss = b.loss;
    this.projector = b.projector;
    this.views = b.views;
  }

  /** A builder with the defaults of {@link #vicreg()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * VICReg sized for a small CNN's 128-d representation: the paper's weights 25, 25, 1, the expander
   * {@link #defaultProjector()} and two views by {@link MultiViewTransform#simclr()}.
   */
  public static VicRegTask vicreg() {
    return builder().build();
  }

  /**
   * The default expander: three dense layers of 512, the first two followed by BN and ReLU, the last
   * without bias — the paper's expander (three layers of 8192) at 512 wide.
   */
  public static ProjectionHead defaultProjector() {
    return ProjectionHead.builder(512, 512, 512).batchNorm(true).bias(false).build();
  }

  /** The loss with its weights. */
  public VicRegLoss loss() {
    return loss;
  }

  /** The expander (projector). */
  public ProjectionHead projector() {
    return projector;
  }

  /** The view transform (two views). */
  public MultiViewTransform views() {
    return views;
  }

  /** Vertices this task adds after the representation, so fine-tuning can remove them by name. */
  public List<String> pretextVertexNames() {
    List<String> out = new ArrayList<>(projector.vertexNames());
    out.add(LOSS_VERTEX);
    return List.copyOf(out);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    String rep = TwoViewBatches.addEncoder(graph, encoder, "VICReg");
    String z = projector.addTo(graph, rep);
    graph.addLayer(LOSS_VERTEX, loss.layer(projector.outputSize()), z);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * Makes the two views and the image-id labels ({@link TwoViewBatches#prepare}).
   *
   * @param examples images, shape [N, c, h, w], N &gt;= 2; not modified
   * @return features [2N, c, h, w] and labels [2N, 1]
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    return TwoViewBatches.prepare(examples, rng, views, "VICReg");
  }

  /**
   * {@code varianceWeight · (1 - sqrt(1e-4))}: the loss of a collapsed encoder, whose constant
   * embeddings have no invariance or covariance cost and the full variance hinge. The trainer stops
   * a run whose loss stays there.
   */
  @Override
  public OptionalDouble chanceLoss(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    return OptionalDouble.of(
        loss.varianceWeight() * (VicRegLoss.TARGET_STD - Math.sqrt(VicRegLoss.VARIANCE_EPSILON)));
  }

  /** The projector's output: the embeddings the loss compares (the collapse check measures them). */
  @Override
  public java.util.Optional<String> embeddingVertex() {
    return java.util.Optional.of(projector.outputVertex());
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("invarianceWeight", loss.invarianceWeight());
    m.put("varianceWeight", loss.varianceWeight());
    m.put("covarianceWeight", loss.covarianceWeight());
    m.put("projector", projector.config());
    m.put("views", views.count());
    m.put("augmentation", views.toString());
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "VicRegTask" + config();
  }

  /**
   * Builder; defaults: weights 25, 25, 1, {@link VicRegTask#defaultProjector()}, {@link
   * MultiViewTransform#simclr()}.
   */
  public static final class Builder {
    private VicRegLoss loss = VicRegLoss.withDefaults();
    private ProjectionHead projector = defaultProjector();
    private MultiViewTransform views = MultiViewTransform.simclr();

    private Builder() {}

    /** Weights of the invariance, variance and covariance terms, each finite and &gt;= 0. */
    public Builder weights(double invariance, double variance, double covariance) {
      this.loss = VicRegLoss.withWeights(invariance, variance, covariance);
      return this;
    }

    /** The expander (projector). */
    public Builder projector(ProjectionHead projector) {
      this.projector = Objects.requireNonNull(projector, "projector");
      return this;
    }

    /** The view transform; exactly two views. */
    public Builder views(MultiViewTransform views) {
      this.views = TwoViewBatches.requireTwoViews(views, "VICReg");
      return this;
    }

    /** Builds the immutable task. */
    public VicRegTask build() {
      return new VicRegTask(this);
    }
  }
}
