package io.github.ssl4j.tasks.byol;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.MethodState;
import io.github.ssl4j.core.StatefulPretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.momentum.EmaTeacher;
import io.github.ssl4j.core.momentum.MomentumSchedule;
import io.github.ssl4j.core.momentum.StateArrays;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.momentum.CrossView;
import io.github.ssl4j.tasks.momentum.MlpHead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import io.github.ssl4j.tasks.twoview.TwoViewBatches;

/**
 * BYOL, Bootstrap Your Own Latent (Grill et al. 2020): an online network (encoder, projector,
 * predictor) learns to predict the projection that an exponential-moving-average target network
 * (encoder, projector) gives the other view of the same image. No negatives.
 *
 * <p>Per step: two views of each of N images, stacked [view 1; view 2] (rows v*N + i); the online
 * graph predicts p for all 2N rows; the target network (an {@link EmaTeacher}, run in training mode
 * so its batch normalisation uses batch statistics, as BYOL's target does) projects the same rows to
 * z; row i's target is z of the other view of image i. The loss is {@link ByolLoss}, {@code 2 - 2
 * cos(p, z)} averaged over the 2N rows (half of BYOL's symmetrised sum). After each optimiser step
 * the target moves to {@code m * target + (1 - m) * online} with BYOL's cosine momentum schedule
 * from 0.996 to 1 over the run ({@link MomentumSchedule#cosine}).
 *
 * <pre>{@code
 * TrainingResult r = new Trainer(config).fit(ByolTask.builder().build(), ConvEncoder.small(28, 28, 1), images);
 * }</pre>
 *
 * <p>{@link #prepare} makes the views and zero placeholder targets; the state created by {@link
 * #createState} replaces them with the target network's projections before each step. Immutable.
 */
public final class ByolTask implements StatefulPretextTask {

  /** Task identifier. */
  public static final String ID = "byol";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("byol");

  private final MlpHead projector;
  private final MlpHead predictor;
  private final double baseMomentum;
  private final MultiViewTransform views;

  private ByolTask(Builder b) {
    this.projector = b.projector;
    this.predictor = b.predictor;
    this.baseMomentum = b.baseMomentum;
    this.views = b.views;
    if (predictor.outputSize() != projector.outputSize()) {
      throw new IllegalArgumentException(
          "BYOL's predictor must output the projector's size (" + projector.outputSize() + "), got "
              + predictor.outputSize() + "; end the predictor widths with " + projector.outputSize());
    }
  }

  /**
   * A builder with the defaults: projector and predictor {@code MlpHead.of(.., 256, 64)} (BYOL's
   * shape, narrower), base momentum 0.996, two views by {@link MultiViewTransform#simclr()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The projector (online and target). */
  public MlpHead projector() {
    return projector;
  }

  /** The predictor (online only). */
  public MlpHead predictor() {
    return predictor;
  }

  /** The target's momentum at step 0; it rises to 1 by the cosine rule. */
  public double baseMomentum() {
    return baseMomentum;
  }

  /** Vertices on top of the representation (projector, predictor, loss). */
  public List<String> pretextVertexNames() {
    List<String> out = new ArrayList<>(projector.vertexNames());
    out.addAll(predictor.vertexNames());
    out.add(LOSS_VERTEX);
    return List.copyOf(out);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    String rep = TwoViewBatches.addEncoder(graph, encoder, "ByolTask");
    String z = projector.addTo(graph, rep);
    String p = predictor.addTo(graph, z);
    graph.addLayer(LOSS_VERTEX,
        new LossLayer.Builder(new ByolLoss()).activation(Activation.IDENTITY).build(), p);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * Makes the two views.
   *
   * @param examples images [n, c, h, w], n &gt;= 1; not modified
   * @return features [2n, c, h, w] (view v of image i at row v*n + i) and zero targets [2n, d]
   *     that the method state replaces
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    TwoViewBatches.requireImages(examples, rng, "ByolTask");
    INDArray features = views.apply(examples, rng);
    INDArray targets = Nd4j.zeros(features.dataType(), features.size(0), projector.outputSize());
    return new org.nd4j.linalg.dataset.MultiDataSet(features, targets);
  }

  /**
   * The target network (a copy of {@code online}) and its momentum schedule. Arrays: {@code
   * "target"}, the target's flattened parameters.
   */
  @Override
  public MethodState createState(ComputationGraph online, long seed) {
    return new State(EmaTeacher.copyOf(online), projector.outputVertex(), MomentumSchedule.cosine(baseMomentum),
        views.count());
  }

  private static final class State implements MethodState {
    private final EmaTeacher target;
    private final String projection;
    private final MomentumSchedule momentum;
    private final int viewCount;

    State(EmaTeacher target, String projection, MomentumSchedule momentum, int viewCount) {
      this.target = target;
      this.projection = projection;
      this.momentum = momentum;
      this.viewCount = viewCount;
    }

    @Override
    public MultiDataSet beforeStep(MultiDataSet batch, long step, long totalSteps) {
      INDArray x = batch.getFeatures(0);
      INDArray z = target.activations(projection, true, x);
      return new org.nd4j.linalg.dataset.MultiDataSet(x, CrossView.nextView(z, viewCount));
    }

    @Override
    public void afterStep(long step, long totalSteps) {
      target.update(momentum.at(step, totalSteps));
    }

    @Override
    public Map<String, INDArray> arrays() {
      return Map.of("target", target.params());
    }

    @Override
    public void restore(Map<String, INDArray> arrays) {
      StateArrays.restore(arrays(), arrays, "BYOL");
    }
  }

  /** The online projector's output: the embeddings the trainer's collapse check measures. */
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
    m.put("baseMomentum", baseMomentum);
    m.put("views", views.count());
    m.put("augmentation", views.toString());
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "ByolTask" + config();
  }

  /** Builder; see {@link ByolTask#builder()} for the defaults. */
  public static final class Builder {
    private MlpHead projector = MlpHead.of("proj", 256, 64);
    private MlpHead predictor = MlpHead.of("pred", 256, 64);
    private double baseMomentum = 0.996;
    private MultiViewTransform views = MultiViewTransform.simclr();

    private Builder() {}

    /** Projector (its name must differ from the predictor's); default {@code MlpHead.of("proj", 256, 64)}. */
    public Builder projector(MlpHead projector) {
      this.projector = Objects.requireNonNull(projector, "projector");
      return this;
    }

    /** Predictor, output size equal to the projector's; default {@code MlpHead.of("pred", 256, 64)}. */
    public Builder predictor(MlpHead predictor) {
      this.predictor = Objects.requireNonNull(predictor, "predictor");
      return this;
    }

    /** The target momentum at step 0, in [0, 1]; default 0.996 (BYOL's). */
    public Builder baseMomentum(double baseMomentum) {
      MomentumSchedule.cosine(baseMomentum); // validates
      this.baseMomentum = baseMomentum;
      return this;
    }

    /** View transform, two or more views; default {@link MultiViewTransform#simclr()}. */
    public Builder views(MultiViewTransform views) {
      this.views = Objects.requireNonNull(views, "views");
      return this;
    }

    /** Builds the task. */
    public ByolTask build() {
      if (projector.name().equals(predictor.name())) {
        throw new IllegalArgumentException(
            "projector and predictor need different names, both are '" + projector.name() + "'");
      }
      return new ByolTask(this);
    }
  }
}
