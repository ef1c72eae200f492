package io.github.ssl4j.tasks.barlowtwins;

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
 * Barlow Twins (Zbontar et al. 2021): two augmented views of each image, the shared encoder and a
 * projector; the cross-correlation of the two views' batch-normalised projections is pushed towards
 * the identity ({@link BarlowTwinsLoss}): each dimension invariant to the augmentations, the
 * dimensions decorrelated. No negatives, no predictor, no stop-gradient.
 *
 * <p>Graph: {@code input → encoder → representation → head/proj… → loss/barlowtwins}. Batches:
 * {@link TwoViewBatches#prepare}, features [2N, c, h, w], labels [2N, 1].
 *
 * <pre>{@code
 * PretextTask task = BarlowTwinsTask.barlowTwins();
 * }</pre>
 */
public final class BarlowTwinsTask implements PretextTask {

  /** Task identifier. */
  public static final String ID = "barlowtwins";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("barlowtwins");

  private final double lambda;
  private final ProjectionHead projector;
  private final MultiViewTransform views;

  private BarlowTwinsTask(Builder b) {
    this.lambda = b.lambda;
    this.projector = b.projector;
    this.views = b.views;
  }

  /** A builder with the defaults of {@link #barlowTwins()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Barlow Twins sized for a small CNN's 128-d representation: lambda 5e-3 (the paper's), the
   * projector {@link #defaultProjector()} and two views by {@link MultiViewTransform#simclr()}.
   */
  public static BarlowTwinsTask barlowTwins() {
    return builder().build();
  }

  /**
   * The default projector: three dense layers of 512 without biases, the first two followed by BN
   * and ReLU — the paper's projector (three layers of 8192) at 512 wide.
   */
  public static ProjectionHead defaultProjector() {
    return ProjectionHead.builder(512, 512, 512).batchNorm(true).bias(false).build();
  }

  /** The weight of the off-diagonal term. */
  public double lambda() {
    return lambda;
  }

  /** The projector. */
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
    String rep = TwoViewBatches.addEncoder(graph, encoder, "Barlow Twins");
    String z = projector.addTo(graph, rep);
    graph.addLayer(LOSS_VERTEX,
        BarlowTwinsLoss.withLambda(lambda).layer(projector.outputSize()), z);
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
    return TwoViewBatches.prepare(examples, rng, views, "Barlow Twins");
  }

  /**
   * The projector's output width d: the loss of a collapsed encoder, whose constant projections
   * normalise to 0, so the cross-correlation is 0 and each of the d diagonal terms is 1. The
   * trainer stops a run whose loss stays there.
   */
  @Override
  public OptionalDouble chanceLoss(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    return OptionalDouble.of(projector.outputSize());
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
    m.put("lambda", lambda);
    m.put("projector", projector.config());
    m.put("views", views.count());
    m.put("augmentation", views.toString());
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "BarlowTwinsTask" + config();
  }

  /**
   * Builder; defaults: lambda {@value BarlowTwinsLoss#DEFAULT_LAMBDA}, {@link
   * BarlowTwinsTask#defaultProjector()}, {@link MultiViewTransform#simclr()}.
   */
  public static final class Builder {
    private double lambda = BarlowTwinsLoss.DEFAULT_LAMBDA;
    private ProjectionHead projector = defaultProjector();
    private MultiViewTransform views = MultiViewTransform.simclr();

    private Builder() {}

    /** Weight of the off-diagonal term, finite and &gt;= 0; default 5e-3. */
    public Builder lambda(double lambda) {
      this.lambda = BarlowTwinsLoss.withLambda(lambda).lambda();
      return this;
    }

    /** The projector. */
    public Builder projector(ProjectionHead projector) {
      this.projector = Objects.requireNonNull(projector, "projector");
      return this;
    }

    /** The view transform; exactly two views. */
    public Builder views(MultiViewTransform views) {
      this.views = TwoViewBatches.requireTwoViews(views, "Barlow Twins");
      return this;
    }

    /** Builds the immutable task. */
    public BarlowTwinsTask build() {
      return new BarlowTwinsTask(this);
    }
  }
}
