package io.github.ssl4j.tasks.dino;

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
import java.util.OptionalDouble;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import io.github.ssl4j.tasks.twoview.TwoViewBatches;

/**
 * DINO, self-distillation with no labels (Caron et al. 2021): a student (encoder + DINO head)
 * learns to output, for one view of an image, the distribution an EMA teacher gives another view;
 * the teacher's output is centred (a running mean is subtracted) and sharpened (a low temperature)
 * so that neither collapse to one dimension nor to the uniform distribution wins.
 *
 * <p>Head: {@link MlpHead} {@code proj} (hidden layers with ReLU, no batch normalisation, as DINO's
 * default head; DINO uses GELU and widths 2048-2048-256), L2 normalisation ({@code head/l2norm}),
 * then a linear layer without bias to K prototype logits ({@code head/prototypes}; DINO
 * weight-normalises it, this one is plain).
 *
 * <p>Per step: V views (two global crops by default; DINO's extra local crops are not
 * implemented) of N images stacked [view 1; view 2] (rows v*N + i); the teacher ({@link
 * EmaTeacher}, training mode) gives logits T for all rows; the targets are {@code softmax((T - c) /
 * tt)} of the next view of the same image ({@link CrossView#nextView}); the loss is {@link
 * DinoLoss} at the student temperature ts. After the step the teacher moves by the cosine momentum
 * schedule (0.996 to 1) and the centre by {@code c = mc * c + (1 - mc) * mean over rows of T}.
 *
 * <p>Defaults (DINO: K 65536, ts 0.1, tt 0.04 warming to 0.07, centre momentum 0.9, teacher
 * momentum 0.996): K 1024, ts 0.1, tt 0.04 constant, centre momentum 0.9, teacher momentum 0.996,
 * head {@code MlpHead.of("proj", 256, 64)} without batch normalisation, views {@link
 * MultiViewTransform#simclr()}. Immutable.
 */
public final class DinoTask implements StatefulPretextTask {

  /** Task identifier. */
  public static final String ID = "dino";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("dino");

  /** The L2-normalisation vertex of the head. */
  public static final String NORM_VERTEX = VertexNames.head("l2norm");

  /** The prototype (logit) layer of the head. */
  public static final String PROTOTYPES_VERTEX = VertexNames.head("prototypes");

  private final MlpHead head;
  private final int prototypes;
  private final double studentTemperature;
  private final double teacherTemperature;
  private final double centerMomentum;
  private final double baseMomentum;
  private final MultiViewTransform views;

  private DinoTask(Builder b) {
    this.head = b.head;
    this.prototypes = b.prototypes;
    this.studentTemperature = b.studentTemperature;
    this.teacherTemperature = b.teacherTemperature;
    this.centerMomentum = b.centerMomentum;
    this.baseMomentum = b.baseMomentum;
    this.views = b.views;
  }

  /** A builder with the defaults (see the class comment). */
  public static Builder builder() {
    return new Builder();
  }

  /** Vertices on top of the representation (head, normalisation, prototypes, loss). */
  public List<String> pretextVertexNames() {
    List<String> out = new ArrayList<>(head.vertexNames());
    out.add(NORM_VERTEX);
    out.add(PROTOTYPES_VERTEX);
    out.add(LOSS_VERTEX);
    return List.copyOf(out);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    String rep = TwoViewBatches.addEncoder(graph, encoder, "DinoTask");
    String z = head.addTo(graph, rep);
    graph.addVertex(NORM_VERTEX, new L2NormalizeVertex(new int[] {1}, 1e-12), z);
    graph.addLayer(PROTOTYPES_VERTEX, new DenseLayer.Builder().nOut(prototypes).hasBias(false)
        .weightInit(WeightInit.XAVIER).activation(Activation.IDENTITY).build(), NORM_VERTEX);
    graph.addLayer(LOSS_VERTEX, new LossLayer.Builder(new DinoLoss(studentTemperature))
        .activation(Activation.IDENTITY).build(), PROTOTYPES_VERTEX);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * Makes the views.
   *
   * @param examples images [n, c, h, w]; not modified
   * @return features [V n, c, h, w] (view v of image i at row v*n + i) and uniform placeholder
   *     targets [V n, K] that the method state replaces
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    TwoViewBatches.requireImages(examples, rng, "DinoTask");
    INDArray features = views.apply(examples, rng);
    INDArray targets = Nd4j.valueArrayOf(new long[] {features.size(0), prototypes}, 1.0 / prototypes,
        features.dataType());
    return new org.nd4j.linalg.dataset.MultiDataSet(features, targets);
  }

  /**
   * {@code ln K}: the loss when the teacher's targets and the student's output are uniform, the
   * collapse that centring alone leads to.
   */
  @Override
  public OptionalDouble chanceLoss(int batchSize) {
    return OptionalDouble.of(Math.log(prototypes));
  }

  /**
   * The teacher (a copy of {@code online}) and a zero centre. Arrays: {@code "teacher"} (flattened
   * parameters) and {@code "center"} [1, K].
   */
  @Override
  public MethodState createState(ComputationGraph online, long seed) {
    return new State(EmaTeacher.copyOf(online),
        Nd4j.zeros(online.params().dataType(), 1, prototypes));
  }

  private final class State implements MethodState {
    private final EmaTeacher teacher;
    private final INDArray center;
    private final MomentumSchedule momentum = MomentumSchedule.cosine(baseMomentum);
    private INDArray batchMean;

    State(EmaTeacher teacher, INDArray center) {
      this.teacher = teacher;
      this.center = center;
    }

    @Override
    public MultiDataSet beforeStep(MultiDataSet batch, long step, long totalSteps) {
      INDArray x = batch.getFeatures(0);
      INDArray logits = teacher.activations(PROTOTYPES_VERTEX, true, x);
      batchMean = logits.mean(true, 0);
      INDArray probs = Transforms.softmax(logits.subRowVector(center).divi(teacherTemperature), false);
      return new org.nd4j.linalg.dataset.MultiDataSet(x, CrossView.nextView(probs, views.count()));
    }

    @Override
    public void afterStep(long step, long totalSteps) {
      teacher.update(momentum.at(step, totalSteps));
      center.muli(centerMomentum).addi(batchMean.muli(1 - centerMomentum));
      batchMean = null;
    }

    @Override
    public Map<String, INDArray> arrays() {
      return Map.of("teacher", teacher.params(), "center", center);
    }

    @Override
    public void restore(Map<String, INDArray> arrays) {
      StateArrays.restore(arrays(), arrays, "DINO");
    }
  }

  /** The student's normalised bottleneck embeddings: the embeddings the trainer's collapse check measures. */
  @Override
  public java.util.Optional<String> embeddingVertex() {
    return java.util.Optional.of(NORM_VERTEX);
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("head", head.config());
    m.put("prototypes", prototypes);
    m.put("studentTemperature", studentTemperature);
    m.put("teacherTemperature", teacherTemperature);
    m.put("centerMomentum", centerMomentum);
    m.put("baseMomentum", baseMomentum);
    m.put("views", views.count());
    m.put("augmentation", views.toString());
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "DinoTask" + config();
  }

  /** Builder; see {@link DinoTask} for the defaults. */
  public static final class Builder {
    private MlpHead head = MlpHead.of("proj", 256, 64).withBatchNorm(false);
    private int prototypes = 1024;
    private double studentTemperature = DinoLoss.DEFAULT_STUDENT_TEMPERATURE;
    private double teacherTemperature = 0.04;
    private double centerMomentum = 0.9;
    private double baseMomentum = 0.996;
    private MultiViewTransform views = MultiViewTransform.simclr();

    private Builder() {}

    /** The MLP before normalisation; default {@code MlpHead.of("proj", 256, 64)} without batch norm. */
    public Builder head(MlpHead head) {
      this.head = Objects.requireNonNull(head, "head");
      return this;
    }

    /** Number of prototypes K (output dimension), &gt;= 2; default 1024. */
    public Builder prototypes(int k) {
      if (k < 2) {
        throw new IllegalArgumentException("DINO needs at least 2 prototypes, got " + k);
      }
      this.prototypes = k;
      return this;
    }

    /** Student temperature, finite and &gt; 0; default 0.1. */
    public Builder studentTemperature(double t) {
      new DinoLoss(t); // validates
      this.studentTemperature = t;
      return this;
    }

    /** Teacher (sharpening) temperature, finite and &gt; 0; default 0.04. */
    public Builder teacherTemperature(double t) {
      if (!(t > 0) || !Double.isFinite(t)) {
        throw new IllegalArgumentException(
            "DINO teacher temperature must be finite and > 0, got " + t + "; DINO uses 0.04-0.07");
      }
      this.teacherTemperature = t;
      return this;
    }

    /** Centre EMA momentum in [0, 1]; default 0.9. */
    public Builder centerMomentum(double m) {
      MomentumSchedule.constant(m); // validates
      this.centerMomentum = m;
      return this;
    }

    /** Teacher EMA momentum at step 0 (cosine to 1), in [0, 1]; default 0.996. */
    public Builder baseMomentum(double m) {
      MomentumSchedule.cosine(m); // validates
      this.baseMomentum = m;
      return this;
    }

    /** View transform (global crops), two or more; default {@link MultiViewTransform#simclr()}. */
    public Builder views(MultiViewTransform views) {
      this.views = Objects.requireNonNull(views, "views");
      return this;
    }

    /** Builds the task. */
    public DinoTask build() {
      return new DinoTask(this);
    }
  }
}
