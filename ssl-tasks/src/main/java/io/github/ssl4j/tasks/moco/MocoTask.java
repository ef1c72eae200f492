package io.github.ssl4j.tasks.moco;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.MethodState;
import io.github.ssl4j.core.StatefulPretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.momentum.EmaTeacher;
import io.github.ssl4j.core.momentum.MomentumSchedule;
import io.github.ssl4j.core.momentum.StateArrays;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import io.github.ssl4j.tasks.twoview.TwoViewBatches;

/**
 * MoCo v2, Momentum Contrast (He et al. 2020; Chen et al. 2020, "Improved baselines"): a query
 * encoder (encoder + MLP head) trained by InfoNCE to pick its positive key out of a queue of
 * negatives; the keys come from a momentum encoder, an EMA copy of the query encoder, and the queue
 * holds the keys of the last batches.
 *
 * <p>Per step: two views of N images; view 1 goes through the online (query) graph, view 2 through
 * the momentum encoder (an {@link EmaTeacher} in training mode, so its batch normalisation uses the
 * key batch's statistics); the loss is {@link MocoLoss} with the queue as negatives. After the
 * optimiser step the momentum encoder moves to {@code m * key + (1 - m) * query} and the N
 * normalised keys replace the oldest N entries of the queue (a ring buffer).
 *
 * <pre>{@code
 * TrainingResult r = new Trainer(config).fit(MocoTask.builder().build(), ConvEncoder.small(28, 28, 1), images);
 * }</pre>
 *
 * <p>Defaults, sized for small data sets (MoCo v2 on ImageNet: queue 65536, momentum 0.999,
 * temperature 0.2, MLP head 2048-128): queue 4096, momentum 0.99, temperature 0.2, head {@link
 * ProjectionHead#simclr()}, views {@link MultiViewTransform#simclr()}. Immutable.
 */
public final class MocoTask implements StatefulPretextTask {

  /** Task identifier. */
  public static final String ID = "moco";

  /** Name of the loss vertex. */
  public static final String LOSS_VERTEX = VertexNames.loss("moco");

  private final double temperature;
  private final double momentum;
  private final int queueSize;
  private final ProjectionHead head;
  private final MultiViewTransform views;

  private MocoTask(Builder b) {
    this.temperature = b.temperature;
    this.momentum = b.momentum;
    this.queueSize = b.queueSize;
    this.head = b.head;
    this.views = b.views;
  }

  /** A builder with the defaults (see the class comment). */
  public static Builder builder() {
    return new Builder();
  }

  /** InfoNCE temperature. */
  public double temperature() {
    return temperature;
  }

  /** The momentum encoder's EMA momentum. */
  public double momentum() {
    return momentum;
  }

  /** Number of negative keys in the queue. */
  public int queueSize() {
    return queueSize;
  }

  /** The MLP head. */
  public ProjectionHead projectionHead() {
    return head;
  }

  /** Vertices on top of the representation (head and loss). */
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
    String rep = TwoViewBatches.addEncoder(graph, encoder, "MocoTask");
    String q = head.addTo(graph, rep);
    graph.addLayer(LOSS_VERTEX,
        new LossLayer.Builder(new MocoLoss(temperature)).activation(Activation.IDENTITY).build(), q);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * Makes the two views.
   *
   * @param examples images [n, c, h, w], n &gt;= 1; not modified
   * @return features [2n, c, h, w], query views (rows 0..n-1) then key views (rows n..2n-1), and
   *     zero keys [2n, d] that the method state replaces
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    TwoViewBatches.requireImages(examples, rng, "MocoTask");
    INDArray features = views.apply(examples, rng);
    INDArray keys = Nd4j.zeros(features.dataType(), features.size(0), head.outputSize());
    return new org.nd4j.linalg.dataset.MultiDataSet(features, keys);
  }

  /**
   * {@code ln(K + 1)}: the loss when every logit of a query is equal, i.e. a collapsed encoder
   * that maps everything alike (independent of the batch size).
   */
  @Override
  public OptionalDouble chanceLoss(int batchSize) {
    return OptionalDouble.of(Math.log(queueSize + 1.0));
  }

  /**
   * The momentum encoder (a copy of {@code online}) and a queue of random unit-length keys drawn
   * from {@code seed}. Arrays: {@code "keyEncoder"} (its flattened parameters), {@code "queue"}
   * [K, d] and {@code "queuePosition"} (the next row to overwrite).
   */
  @Override
  public MethodState createState(ComputationGraph online, long seed) {
    return new State(online, EmaTeacher.copyOf(online), randomQueue(seed, online.params().dataType()));
  }

  private INDArray randomQueue(long seed, DataType type) {
    SplittableRandom r = new SplittableRandom(seed);
    int d = head.outputSize();
    double[] v = new double[queueSize * d];
    for (int i = 0; i < queueSize; i++) {
      double sq = 0;
      for (int k = 0; k < d; k++) {
        double g = r.nextGaussian();
        v[i * d + k] = g;
        sq += g * g;
      }
      double norm = Math.sqrt(sq);
      for (int k = 0; k < d; k++) {
        v[i * d + k] /= norm;
      }
    }
    return Nd4j.create(v, new long[] {queueSize, d}, DataType.DOUBLE).castTo(type);
  }

  private final class State implements MethodState {
    private final MocoLoss loss;
    private final EmaTeacher keyEncoder;
    private final INDArray queue;
    private final INDArray position = Nd4j.zeros(DataType.LONG, 1);
    private INDArray lastKeys;

    State(ComputationGraph online, EmaTeacher keyEncoder, INDArray queue) {
      this.loss = (MocoLoss) ((org.deeplearning4j.nn.layers.LossLayer) online.getLayer(LOSS_VERTEX))
          .layerConf().getLossFn();
      this.keyEncoder = keyEncoder;
      this.queue = queue;
    }

    @Override
    public MultiDataSet beforeStep(MultiDataSet batch, long step, long totalSteps) {
      INDArray x = batch.getFeatures(0);
      long n = x.size(0) / 2;
      INDArray queries = x.get(NDArrayIndex.interval(0, n));
      INDArray keyViews = x.get(NDArrayIndex.interval(n, 2 * n));
      INDArray k = keyEncoder.activations(head.outputVertex(), true, keyViews);
      INDArray norm = k.mul(k).sum(true, 1).addi(MocoLoss.NORM_EPSILON);
      lastKeys = k.divColumnVector(org.nd4j.linalg.ops.transforms.Transforms.sqrt(norm, false));
      loss.negatives(queue);
      return new org.nd4j.linalg.dataset.MultiDataSet(queries, lastKeys);
    }

    @Override
    public void afterStep(long step, long totalSteps) {
      keyEncoder.update(momentum);
      enqueue(lastKeys);
      lastKeys = null;
    }

    /** Writes the keys over the oldest rows of the ring buffer. */
    private void enqueue(INDArray keys) {
      long n = keys.size(0);
      if (n >= queueSize) {
        queue.assign(keys.get(NDArrayIndex.interval(n - queueSize, n)));
        return;
      }
      long p = position.getLong(0);
      long first = Math.min(n, queueSize - p);
      queue.get(NDArrayIndex.interval(p, p + first)).assign(keys.get(NDArrayIndex.interval(0, first)));
      if (first < n) {
        queue.get(NDArrayIndex.interval(0, n - first)).assign(keys.get(NDArrayIndex.interval(first, n)));
      }
      position.putScalar(0, (p + n) % queueSize);
    }

    @Override
    public Map<String, INDArray> arrays() {
      return Map.of("keyEncoder", keyEncoder.params(), "queue", queue, "queuePosition", position);
    }

    @Override
    public void restore(Map<String, INDArray> arrays) {
      StateArrays.restore(arrays(), arrays, "MoCo");
    }
  }

  /** The query head's output: the embeddings the trainer's collapse check measures. */
  @Override
  public java.util.Optional<String> embeddingVertex() {
    return java.util.Optional.of(head.outputVertex());
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("temperature", temperature);
    m.put("momentum", momentum);
    m.put("queueSize", queueSize);
    m.put("headWidths", Arrays.stream(head.widths()).boxed().toList());
    m.put("views", views.count());
    m.put("augmentation", views.toString());
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "MocoTask" + config();
  }

  /** Builder; see {@link MocoTask} for the defaults. */
  public static final class Builder {
    private double temperature = MocoLoss.DEFAULT_TEMPERATURE;
    private double momentum = 0.99;
    private int queueSize = 4096;
    private ProjectionHead head = ProjectionHead.simclr();
    private MultiViewTransform views = MultiViewTransform.simclr();

    private Builder() {}

    /** InfoNCE temperature, finite and &gt; 0; default 0.2. */
    public Builder temperature(double temperature) {
      new MocoLoss(temperature); // validates
      this.temperature = temperature;
      return this;
    }

    /** Momentum encoder EMA momentum in [0, 1]; default 0.99 (MoCo on ImageNet: 0.999). */
    public Builder momentum(double momentum) {
      MomentumSchedule.constant(momentum); // validates
      this.momentum = momentum;
      return this;
    }

    /** Negative keys in the queue, &gt;= 1; default 4096 (MoCo on ImageNet: 65536). */
    public Builder queueSize(int queueSize) {
      if (queueSize < 1) {
        throw new IllegalArgumentException(
            "queueSize must be >= 1, got " + queueSize + "; use a few thousand for small data sets");
      }
      this.queueSize = queueSize;
      return this;
    }

    /** The MLP head; default {@link ProjectionHead#simclr()}. */
    public Builder projectionHead(ProjectionHead head) {
      this.head = Objects.requireNonNull(head, "projectionHead");
      return this;
    }

    /** Exactly two views (query, key); default {@link MultiViewTransform#simclr()}. */
    public Builder views(MultiViewTransform views) {
      Objects.requireNonNull(views, "views");
      if (views.count() != 2) {
        throw new IllegalArgumentException(
            "MoCo uses two views per image (query and key), got " + views.count());
      }
      this.views = views;
      return this;
    }

    /** Builds the task. */
    public MocoTask build() {
      return new MocoTask(this);
    }
  }
}
