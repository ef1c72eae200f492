package io.github.ssl4j.tasks.simsiam;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.StopGradient;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.twoview.TwoViewBatches;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * SimSiam (Chen &amp; He 2021): two augmented views of each image, the shared encoder, a projector
 * giving z and a predictor giving p = h(z); each view's p is pulled towards the other view's z by
 * the symmetric negative cosine ({@link NegativeCosineLoss}), with a stop-gradient on z. No
 * negatives, no momentum encoder: the stop-gradient is what keeps the representation from
 * collapsing.
 *
 * <p>Graph: {@code input → encoder → representation → head/proj… → z}; {@code z → head/pred… → p};
 * {@code z → head/target} ({@link StopGradient}); {@code [p | target] → head/pair} (merge) {@code →
 * loss/negcosine}. Batches: {@link TwoViewBatches#prepare}, features [2N, c, h, w], labels [2N, 1].
 *
 * <pre>{@code
 * PretextTask task = SimSiamTask.simsiam();
 * }</pre>
 */
public final class SimSiamTask implements PretextTask {

  /** Task identifier. */
  public static final String ID = "simsiam";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("negcosine");

  /** Name of the stop-gradient vertex on the projector's output (the targets). */
  public static final String TARGET_VERTEX = VertexNames.head("target");

  /** Name of the vertex putting predictions and targets side by side for the loss. */
  public static final String PAIR_VERTEX = VertexNames.head("pair");

  private final ProjectionHead projector;
  private final ProjectionHead predictor;
  private final MultiViewTransform views;

  private SimSiamTask(Builder b) {
    this.projector = b.projector;
    this.predictor = b.predictor;
    this.views = b.views;
  }

  /** A builder with the defaults of {@link #simsiam()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * SimSiam sized for a small CNN's 128-d representation: the projector {@link #defaultProjector()}
   * (two layers, the paper's CIFAR depth), the bottleneck predictor {@link #defaultPredictor()} and
   * two views by {@link MultiViewTransform#simclr()}.
   */
  public static SimSiamTask simsiam() {
    return builder().build();
  }

  /**
   * The default projector: dense 512 → BN → ReLU → dense 512 → BN (no scale and shift), as the
   * paper's projector (BN on every layer, the output's too) at 512 wide instead of 2048.
   */
  public static ProjectionHead defaultProjector() {
    return ProjectionHead.builder(512, 512).batchNorm(true).outputBatchNorm(true).build();
  }

  /**
   * The default predictor, vertices {@code head/pred1…}: dense 128 → BN → ReLU → dense 512, the
   * paper's bottleneck of a quarter of the projector's width.
   */
  public static ProjectionHead defaultPredictor() {
    return ProjectionHead.builder(128, 512).name("pred").batchNorm(true).build();
  }

  /** The projector (z). */
  public ProjectionHead projector() {
    return projector;
  }

  /** The predictor (p = h(z)). */
  public ProjectionHead predictor() {
    return predictor;
  }

  /** The view transform (two views). */
  public MultiViewTransform views() {
    return views;
  }

  /** Vertices this task adds after the representation, so fine-tuning can remove them by name. */
  public List<String> pretextVertexNames() {
    List<String> out = new ArrayList<>(projector.vertexNames());
    out.addAll(predictor.vertexNames());
    out.add(TARGET_VERTEX);
    out.add(PAIR_VERTEX);
    out.add(LOSS_VERTEX);
    return List.copyOf(out);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    String rep = TwoViewBatches.addEncoder(graph, encoder, "SimSiam");
    String z = projector.addTo(graph, rep);
    String p = predictor.addTo(graph, z);
    graph.addVertex(TARGET_VERTEX, new StopGradient(), z);
    graph.addVertex(PAIR_VERTEX, new MergeVertex(), p, TARGET_VERTEX);
    graph.addLayer(LOSS_VERTEX,
        new NegativeCosineLoss().layer(2 * projector.outputSize()), PAIR_VERTEX);
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
    return TwoViewBatches.prepare(examples, rng, views, "SimSiam");
  }

  /**
   * None: a collapsed encoder (every output alike) reaches the loss's minimum -1, which a
   * well-trained one approaches too, so no loss level tells a collapse apart.
   */
  @Override
  public java.util.OptionalDouble chanceLoss(int batchSize) {
    return java.util.OptionalDouble.empty();
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
    m.put("projector", projector.config());
    m.put("predictor", predictor.config());
    m.put("views", views.count());
    m.put("augmentation", views.toString());
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "SimSiamTask" + config();
  }

  /**
   * Builder; defaults: {@link SimSiamTask#defaultProjector()}, {@link SimSiamTask#defaultPredictor()},
   * {@link MultiViewTransform#simclr()}.
   */
  public static final class Builder {
    private ProjectionHead projector = defaultProjector();
    private ProjectionHead predictor = defaultPredictor();
    private MultiViewTransform views = MultiViewTransform.simclr();

    private Builder() {}

    /** The projector; its output width is the predictor's output width. */
    public Builder projector(ProjectionHead projector) {
      this.projector = Objects.requireNonNull(projector, "projector");
      return this;
    }

    /** The predictor; named apart from the projector ({@link ProjectionHead.Builder#name}). */
    public Builder predictor(ProjectionHead predictor) {
      this.predictor = Objects.requireNonNull(predictor, "predictor");
      return this;
    }

    /** The view transform; exactly two views. */
    public Builder views(MultiViewTransform views) {
      this.views = TwoViewBatches.requireTwoViews(views, "SimSiam");
      return this;
    }

    /**
     * Builds the immutable task.
     *
     * @throws IllegalArgumentException if the predictor's output width differs from the projector's
     *     or the two heads share a name
     */
    public SimSiamTask build() {
      if (predictor.outputSize() != projector.outputSize()) {
        throw new IllegalArgumentException(
            "SimSiam's predictor must output the projector's width " + projector.outputSize() + ", got "
                + predictor.outputSize() + " (predictor widths " + Arrays.toString(predictor.widths())
                + "); end the predictor with a layer of width " + projector.outputSize());
      }
      if (predictor.name().equals(projector.name())) {
        throw new IllegalArgumentException(
            "SimSiam's projector and predictor are both named '" + projector.name()
                + "'; name the predictor apart, e.g. ProjectionHead.builder(...).name(\"pred\")");
      }
      return new SimSiamTask(this);
    }
  }
}
