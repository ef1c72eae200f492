package io.github.ssl4j.core.finetune;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.Versions;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.data.Minibatches;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import io.github.ssl4j.core.eval.ClassifierTrainer;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.core.train.LearningRates;
import io.github.ssl4j.core.train.TrainingLoop;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Fine-tunes a {@link PretrainedEncoder} on a labelled task with DL4J's {@link
 * TransferLearning.GraphBuilder}: a downstream head ({@value #CLASSIFIER}, softmax + cross-entropy,
 * or {@value #REGRESSOR}, identity + MSE) is attached after the representation vertex, and the
 * encoder is frozen, partly frozen or trained according to the {@link FineTuneMode}.
 *
 * <pre>{@code
 * FineTuned tuned = FineTuneAdapter.builder(pretrained)
 *     .classification(10)
 *     .mode(FineTuneMode.partial(1))      // train the last encoder block and the head
 *     .updater(new Adam(1e-3))
 *     .encoderLrMultiplier(0.1)           // encoder learns 10x slower than the head
 *     .headWarmup(100, new Adam(1e-2))    // LP-FT: fit the head on frozen features first
 *     .epochs(20).batchSize(64).seed(42)
 *     .build()
 *     .fit(labelled);                     // features [n, ...raw input], labels [n]
 * int[] predicted = tuned.predict(testImages);
 * }</pre>
 *
 * <p>With {@link Builder#headWarmup} the adapter first fits the head alone on the frozen
 * representations and then fine-tunes from that head ("LP-FT", Kumar et al. 2022, <a
 * href="https://arxiv.org/abs/2202.10054">Fine-Tuning can Distort Pretrained Features</a>): a
 * randomly initialised head sends large, random gradients into the pretrained encoder in the first
 * steps and pulls its features away; a fitted head does not.
 *
 * <p>Immutable and reusable: each {@link #fit} builds a new graph from the pretrained encoder's
 * parameters, which are never modified. Training runs through the {@link TrainingLoop} (the loop
 * of pretraining): randomness (head initialisation, the {@link Minibatches} order, dropout) comes
 * from {@link Builder#seed(long)} only, a NaN or infinite loss throws {@link
 * io.github.ssl4j.core.train.DivergenceException}. As a {@link ClassifierTrainer} it fine-tunes a
 * classifier per labelled subset.
 */
public final class FineTuneAdapter implements ClassifierTrainer {
  /** Vertex name of the classification head. */
  public static final String CLASSIFIER = VertexNames.DOWNSTREAM + "classifier";
  /** Vertex name of the regression head. */
  public static final String REGRESSOR = VertexNames.DOWNSTREAM + "regressor";

  private static final String PROBE_INPUT = VertexNames.DOWNSTREAM + "features";

  private final PretrainedEncoder pretrained;
  private final boolean classification;
  private final int outputs;
  private final FineTuneMode mode;
  private final IUpdater updater;
  private final double encoderLrMultiplier;
  private final int epochs;
  private final int batchSize;
  private final long seed;
  private final int warmupEpochs;
  private final IUpdater warmupUpdater;

  private FineTuneAdapter(Builder b) {
    this.pretrained = b.pretrained;
    this.classification = b.classification;
    this.outputs = b.outputs;
    this.mode = b.mode;
    this.updater = b.updater.clone();
    this.encoderLrMultiplier = b.encoderLrMultiplier;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.warmupEpochs = b.warmupEpochs;
    this.warmupUpdater = b.warmupUpdater == null ? null : b.warmupUpdater.clone();
  }

  private FineTuneAdapter(FineTuneAdapter o, long seed) {
    this.pretrained = o.pretrained;
    this.classification = o.classification;
    this.outputs = o.outputs;
    this.mode = o.mode;
    this.updater = o.updater;
    this.encoderLrMultiplier = o.encoderLrMultiplier;
    this.epochs = o.epochs;
    this.batchSize = o.batchSize;
    this.seed = seed;
    this.warmupEpochs = o.warmupEpochs;
    this.warmupUpdater = o.warmupUpdater;
  }

  /**
   * Starts a builder for fine-tuning {@code pretrained} (its graph is only read).
   *
   * @param pretrained the trained encoder
   */
  public static Builder builder(PretrainedEncoder pretrained) {
    return new Builder(Objects.requireNonNull(pretrained, "pretrained"));
  }

  /**
   * Starts a builder from a raw pretraining graph: the encoder's vertices are cut out by name (all
   * heads, decoders and loss layers dropped) into a new encoder-only graph, as {@link
   * PretrainedEncoder#from} does; {@code trained} is not modified.
   *
   * @param trained a graph built with {@code encoder} (vertices {@code encoder/...})
   * @param encoder the encoder that built it
   * @throws IllegalArgumentException if an encoder vertex is missing or has other shapes
   */
  public static Builder builder(ComputationGraph trained, Encoder encoder) {
    Objects.requireNonNull(trained, "trained");
    Objects.requireNonNull(encoder, "encoder");
    ModelMetadata metadata =
        new ModelMetadata("unknown", Map.of(), encoder.describe(), encoder.inputType().toString(),
            encoder.blockOutputs(), encoder.representationSize(),
            trained.getConfiguration().getDefaultConfiguration().getSeed(),
            trained.getIterationCount(), Versions.ssl4j(), Versions.dl4j(), Instant.now().toString());
    return builder(PretrainedEncoder.from(trained, encoder, metadata));
  }

  /** Name of the downstream head vertex ({@link #CLASSIFIER} or {@link #REGRESSOR}). */
  public String headVertex() {
    return classification ? CLASSIFIER : REGRESSOR;
  }

  /** The fine-tune mode. */
  public FineTuneMode mode() {
    return mode;
  }

  /**
   * Encoder vertices whose parameters stay fixed in this mode, i.e. those {@code
   * setFeatureExtractor} freezes: nothing for {@link FineTuneMode#FULL}, the whole encoder for
   * {@link FineTuneMode#LINEAR_PROBE}.
   *
   * @return the vertex passed to {@code setFeatureExtractor}, or {@code null} when nothing is frozen
   */
  public String frozenUpTo() {
    List<String> blocks = pretrained.blockOutputs();
    if (mode instanceof FineTuneMode.LinearProbe) {
      return pretrained.representationVertex();
    }
    if (mode instanceof FineTuneMode.Partial p) {
      if (p.unfrozenBlocks() == 0) {
        return pretrained.representationVertex();
      }
      int last = blocks.size() - p.unfrozenBlocks() - 1;
      return last >= 0 ? blocks.get(last) : null;
    }
    return null;
  }

  /**
   * A new, untrained fine-tune graph: encoder with the pretrained parameters (frozen as the mode
   * says) and a freshly initialised head. This is the starting point of {@link #fit}.
   *
   * @return an initialised graph owned by the caller
   */
  public ComputationGraph newGraph() {
    IUpdater encoderUpdater = updater.clone();
    if (encoderLrMultiplier != 1.0) {
      encoderUpdater.setLrAndSchedule(updater.getLearningRate(0, 0) * encoderLrMultiplier, null);
    }
    FineTuneConfiguration ftc =
        new FineTuneConfiguration.Builder().seed(Seeds.forNd4j(seed)).updater(encoderUpdater).build();
    TransferLearning.GraphBuilder tl =
        new TransferLearning.GraphBuilder(pretrained.graph()).fineTuneConfiguration(ftc);
    String frozen = frozenUpTo();
    if (frozen != null) {
      tl.setFeatureExtractor(frozen);
    }
    tl.addLayer(headVertex(), headLayer(updater), pretrained.representationVertex());
    tl.setOutputs(headVertex());
    ComputationGraph g = tl.build();
    LayerHelpers.install(g);
    return g;
  }

  private OutputLayer headLayer(IUpdater headUpdater) {
    return new OutputLayer.Builder(
            classification ? LossFunctions.LossFunction.MCXENT : LossFunctions.LossFunction.MSE)
        .activation(classification ? Activation.SOFTMAX : Activation.IDENTITY)
        .nIn(pretrained.representationSize())
        .nOut(outputs)
        .weightInit(WeightInit.XAVIER)
        .updater(headUpdater.clone())
        .build();
  }

  /**
   * Fine-tunes a classifier.
   *
   * @param train raw inputs (shape [n, ...] as the encoder expects) with class labels
   * @throws IllegalStateException if this adapter was built for regression
   * @throws IllegalArgumentException if the number of classes or the input shape does not match
   */
  public FineTuned fit(LabelledData train) {
    Objects.requireNonNull(train, "train");
    if (!classification) {
      throw new IllegalStateException(
          "This adapter was built with regression(" + outputs + "); fit(LabelledData) is for"
              + " classification. Use fit(features, targets) or build with classification(numClasses)");
    }
    if (train.numClasses() != outputs) {
      throw new IllegalArgumentException(
          "LabelledData has numClasses " + train.numClasses() + " but the adapter was built with"
              + " classification(" + outputs + "); build it with classification("
              + train.numClasses() + ")");
    }
    return fit(train.features(), train.oneHot());
  }

  /**
   * Fine-tunes on raw inputs and targets.
   *
   * @param features raw inputs, shape [n, ...] as the encoder expects
   * @param targets shape [n, outputs]: one-hot rows for classification, target values for regression
   * @return the trained graph and helpers; the pretrained encoder is unchanged
   * @throws IllegalArgumentException if a shape does not match
   */
  public FineTuned fit(INDArray features, INDArray targets) {
    Dl4jRuntime.configureForTraining();
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(targets, "targets");
    pretrained.checkInput(features);
    if (targets.rank() != 2 || targets.size(0) != features.size(0) || targets.size(1) != outputs) {
      throw new IllegalArgumentException(
          "targets must have shape [" + features.size(0) + ", " + outputs + "] (one row per example,"
              + " one column per " + (classification ? "class" : "target") + "), got "
              + Arrays.toString(targets.shape()));
    }
    DataType dt = pretrained.graph().getConfiguration().getDataType();
    INDArray y = targets.castTo(dt);
    ComputationGraph graph = newGraph();
    boolean probe = mode instanceof FineTuneMode.LinearProbe;
    if (probe || warmupEpochs > 0) {
      // the head alone on representations computed once: the whole fit for a linear probe,
      // the warm-up before end-to-end training otherwise
      INDArray representations = pretrained.embed(features, batchSize);
      IUpdater headUpdater = probe ? updater : warmupUpdater;
      ComputationGraph head = headOnlyGraph(dt, headUpdater);
      fitLoop(head, representations, y, probe ? epochs : warmupEpochs, headUpdater, null);
      graph.getLayer(headVertex()).setParams(head.getLayer(headVertex()).params());
    }
    if (!probe) {
      fitLoop(graph, features.dataType() == dt ? features : features.castTo(dt), y, epochs, updater,
          pretrained);
    }
    return new FineTuned(graph, pretrained, classification, batchSize);
  }

  private ComputationGraph headOnlyGraph(DataType dt, IUpdater headUpdater) {
    ComputationGraph g = new ComputationGraph(
        new NeuralNetConfiguration.Builder().seed(Seeds.forNd4j(seed)).dataType(dt).updater(headUpdater.clone())
            .graphBuilder()
            .addInputs(PROBE_INPUT)
            .addLayer(headVertex(), headLayer(headUpdater), PROBE_INPUT)
            .setOutputs(headVertex())
            .build());
    g.init();
    return g;
  }

  /**
   * Trains {@code graph} for {@code epochs} passes through the {@link TrainingLoop}: minibatches in
   * the {@link Minibatches#keepLast} order of {@link #seed}, ND4J reseeded per step, a divergence
   * check every epoch.
   *
   * @param maskOf the encoder whose padding mask goes with raw token-id batches, or null when
   *     {@code x} holds representations
   */
  private void fitLoop(ComputationGraph graph, INDArray x, INDArray y, int epochs, IUpdater reported,
      PretrainedEncoder maskOf) {
    Minibatches order = Minibatches.keepLast(Math.toIntExact(x.size(0)), batchSize, seed);
    UnaryOperator<INDArray> mask = maskOf != null && maskOf.paddingId().isPresent() ? maskOf::inputMask : null;
    TrainingLoop.builder(TrainingLoop.Network.of(graph), TrainingLoop.Batches.of(x, y, order, mask),
            order.stepsPerEpoch(), epochs * order.stepsPerEpoch())
        .seed(seed)
        .updater(reported)
        .paramCheckEverySteps(Math.toIntExact(order.stepsPerEpoch()))
        .divergenceAdvice("a smaller encoderLrMultiplier or a head warm-up (headWarmup)", null)
        .build()
        .run();
  }

  /** Same as {@link #fit(LabelledData)}: this adapter as a {@link ClassifierTrainer}. */
  @Override
  public FineTuned train(LabelledData subset) {
    return fit(subset);
  }

  /** {@link #fit(LabelledData)} with this adapter's settings and {@code seed} (see {@link #withSeed}). */
  @Override
  public FineTuned train(LabelledData subset, long seed) {
    return withSeed(seed).fit(subset);
  }

  /** This adapter with another seed of head initialisation, shuffling and dropout. */
  public FineTuneAdapter withSeed(long seed) {
    return seed == this.seed ? this : new FineTuneAdapter(this, seed);
  }

  /** The seed of head initialisation, shuffling and dropout. */
  public long seed() {
    return seed;
  }

  @Override
  public String toString() {
    return "FineTuneAdapter[" + (classification ? "classification(" : "regression(") + outputs
        + "), mode=" + mode + ", updater=" + updater + ", encoderLrMultiplier=" + encoderLrMultiplier
        + ", epochs=" + epochs + ", batchSize=" + batchSize + ", seed=" + seed
        + (warmupEpochs > 0 ? ", headWarmup=" + warmupEpochs + " epochs with " + warmupUpdater : "") + "]";
  }

  /** Builder for {@link FineTuneAdapter}; {@link #build()} validates. */
  public static final class Builder {
    private final PretrainedEncoder pretrained;
    private Boolean classificationSet;
    private boolean classification;
    private int outputs;
    private FineTuneMode mode = FineTuneMode.LINEAR_PROBE;
    private IUpdater updater = new Adam(1e-3);
    private double encoderLrMultiplier = 1.0;
    private int epochs = 10;
    private int batchSize = 64;
    private long seed = Seeds.DEFAULT;
    private int warmupEpochs = 0;
    private IUpdater warmupUpdater;

    private Builder(PretrainedEncoder pretrained) {
      this.pretrained = pretrained;
    }

    /** Classification head {@value FineTuneAdapter#CLASSIFIER}: softmax + cross-entropy. */
    public Builder classification(int numClasses) {
      this.classificationSet = true;
      this.classification = true;
      this.outputs = numClasses;
      return this;
    }

    /** Regression head {@value FineTuneAdapter#REGRESSOR}: identity + mean squared error. */
    public Builder regression(int numTargets) {
      this.classificationSet = false;
      this.classification = false;
      this.outputs = numTargets;
      return this;
    }

    /** Which parameters to train; default {@link FineTuneMode#LINEAR_PROBE}. */
    public Builder mode(FineTuneMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Updater of the head (and, scaled by the multiplier, the encoder); default Adam(1e-3). */
    public Builder updater(IUpdater updater) {
      this.updater = Objects.requireNonNull(updater, "updater");
      return this;
    }

    /**
     * Learning rate of the trainable encoder layers relative to the head's; default 1.0. Ignored
     * by {@link FineTuneMode#LINEAR_PROBE}. Needs an updater with a constant learning rate.
     */
    public Builder encoderLrMultiplier(double multiplier) {
      this.encoderLrMultiplier = multiplier;
      return this;
    }

    /** Passes over the training data; default 10. */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** Examples per optimiser step (and per embedding batch); default 64. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Before training end to end, fit the head alone on the frozen representations for {@code
     * epochs} passes with {@code updater} (LP-FT); the main training then starts from that head.
     * Default: no warm-up (0 epochs). Not allowed with {@link FineTuneMode#LINEAR_PROBE}, which
     * trains only the head anyway.
     *
     * @param epochs passes over the labelled data, &gt;= 0 (0: no warm-up)
     * @param updater the head's updater during the warm-up, e.g. {@code new Adam(1e-2)}
     */
    public Builder headWarmup(int epochs, IUpdater updater) {
      this.warmupEpochs = epochs;
      this.warmupUpdater = Objects.requireNonNull(updater, "updater");
      return this;
    }

    /** Seed of head initialisation, shuffling and dropout; default {@link Seeds#DEFAULT} (42). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * @throws IllegalArgumentException with what was wrong, the value and how to fix it
     */
    public FineTuneAdapter build() {
      if (classificationSet == null) {
        throw new IllegalArgumentException(
            "No downstream task: call classification(numClasses) or regression(numTargets)"
                + " on the builder before build()");
      }
      if (classification && outputs < 2) {
        throw new IllegalArgumentException(
            "classification(numClasses) needs numClasses >= 2, got " + outputs
                + "; for one output value use regression(1)");
      }
      if (!classification && outputs < 1) {
        throw new IllegalArgumentException(
            "regression(numTargets) needs numTargets >= 1, got " + outputs);
      }
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize
            + "; typical values are 32 to 256");
      }
      if (warmupEpochs < 0) {
        throw new IllegalArgumentException("headWarmup epochs must be >= 0 (0: no warm-up), got "
            + warmupEpochs);
      }
      if (warmupEpochs > 0 && mode instanceof FineTuneMode.LinearProbe) {
        throw new IllegalArgumentException(
            "headWarmup(" + warmupEpochs + ", ...) warms the head up before end-to-end training, but"
                + " mode LINEAR_PROBE trains only the head; drop headWarmup or use FULL or partial(n)");
      }
      int blocks = pretrained.blockOutputs().size();
      if (mode instanceof FineTuneMode.Partial p && p.unfrozenBlocks() > blocks) {
        throw new IllegalArgumentException(
            "FineTuneMode.partial(" + p.unfrozenBlocks() + ") asks to unfreeze more blocks than the"
                + " encoder has (" + blocks + ": " + pretrained.blockOutputs() + "); use partial(n)"
                + " with n <= " + blocks + ", or FineTuneMode.FULL");
      }
      LearningRates.check(updater, 2, 1);
      if (warmupUpdater != null) {
        LearningRates.check(warmupUpdater, 2, 1);
      }
      if (!(encoderLrMultiplier > 0) || Double.isInfinite(encoderLrMultiplier)) {
        throw new IllegalArgumentException(
            "encoderLrMultiplier must be a finite number > 0, got " + encoderLrMultiplier
                + "; to keep encoder weights fixed use FineTuneMode.LINEAR_PROBE or partial(n)");
      }
      if (encoderLrMultiplier != 1.0) {
        if (!updater.hasLearningRate()) {
          throw new IllegalArgumentException(
              "encoderLrMultiplier " + encoderLrMultiplier + " needs an updater with a learning"
                  + " rate, got " + updater + "; use e.g. Adam or Sgd, or leave the multiplier at 1");
        }
        if (updater.getLearningRate(0, 0) != updater.getLearningRate(100_000, 1_000)) {
          throw new IllegalArgumentException(
              "encoderLrMultiplier " + encoderLrMultiplier + " cannot scale a learning-rate"
                  + " schedule (updater " + updater + "); use a constant learning rate or leave"
                  + " the multiplier at 1");
        }
      }
      return new FineTuneAdapter(this);
    }
  }
}
