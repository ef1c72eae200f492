package io.github.ssl4j.core.eval;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Linear probe: multinomial logistic regression on frozen representations (one DL4J
 * {@link OutputLayer} with softmax and multi-class cross-entropy, trained with Adam).
 *
 * <p>Training shuffles the examples every epoch with a {@link Random} seeded from {@code seed}
 * and initialises the weights from the same seed, so two fits on the same data give the same
 * model. With {@code standardise(true)} (the default) every feature is shifted and scaled by the
 * training set's mean and population standard deviation (a feature with standard deviation below
 * 1e-8 is only shifted); the same transform is applied to every input of {@link Model#predict}.
 *
 * <pre>{@code
 * LinearProbe probe = LinearProbe.builder().epochs(10).learningRate(1e-3).seed(42).build();
 * LinearProbe.Result r = probe.evaluate(trainRepresentations, testRepresentations);
 * System.out.printf("linear probe: %.2f %% test accuracy%n", 100 * r.testAccuracy());
 * }</pre>
 *
 * <p>The probe is immutable; {@link #fit} creates a fresh network each time.
 */
public final class LinearProbe implements ClassifierTrainer {
  static {
    // Before any layer is created: oneDNN helpers on when the oneDNN native build is present.
    io.github.ssl4j.core.dl4j.Dl4jSetup.ensureConfigured();
  }


  /** Default number of passes over the training set. */
  public static final int DEFAULT_EPOCHS = 10;
  /** Default minibatch size. */
  public static final int DEFAULT_BATCH_SIZE = 256;
  /** Default Adam learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  /** Default L2 penalty on the weights (not the bias). */
  public static final double DEFAULT_L2 = 0.0;
  /** Default seed of weight initialisation and shuffling. */
  public static final long DEFAULT_SEED = 42L;

  private static final double MIN_STD = 1e-8;
  private static final int PREDICT_BATCH = 8192;

  private final int epochs;
  private final int batchSize;
  private final double learningRate;
  private final double l2;
  private final long seed;
  private final boolean standardise;

  private LinearProbe(Builder b) {
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.l2 = b.l2;
    this.seed = b.seed;
    this.standardise = b.standardise;
  }

  /** A builder with the defaults (10 epochs, batch 256, lr 1e-3, L2 0, seed 42, standardise). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Accuracies of a linear probe trained on {@code train}.
   *
   * @param trainAccuracy accuracy on the training set, in [0, 1]
   * @param testAccuracy accuracy on the test set, in [0, 1]
   */
  public record Result(double trainAccuracy, double testAccuracy) {}

  /**
   * Fits on {@code train}, then measures accuracy on {@code train} and {@code test}.
   *
   * @param train representations, shape [n, d] (rank &gt; 2 is flattened), with labels
   * @param test representations, shape [m, d], same number of classes
   */
  public Result evaluate(LabelledData train, LabelledData test) {
    Objects.requireNonNull(test, "test");
    if (test.numClasses() != train.numClasses()) {
      throw new IllegalArgumentException(
          "test has " + test.numClasses() + " classes but train has " + train.numClasses()
              + "; build both LabelledData with the same numClasses");
    }
    Model model = fit(train);
    return new Result(model.accuracy(train), model.accuracy(test));
  }

  /**
   * Trains a new probe.
   *
   * @param train representations, shape [n, d] (rank &gt; 2 is flattened), with labels; not
   *     modified
   * @return the trained probe
   */
  public Model fit(LabelledData train) {
    Objects.requireNonNull(train, "train");
    INDArray x = Features.flatten(train.features(), "train features");
    DataType type = Features.computeType(x);
    x = x.castTo(type);
    int n = train.size();
    int d = Math.toIntExact(x.size(1));

    INDArray mean = null;
    INDArray std = null;
    if (standardise) {
      mean = x.mean(0).reshape(1, d);
      std = x.std(false, 0).reshape(1, d);
      BooleanIndexing.replaceWhere(std, 1.0, Conditions.lessThan(MIN_STD));
      x = x.subRowVector(mean).divRowVector(std);
    }
    INDArray y = train.oneHot().castTo(type);

    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(type)
        .updater(new Adam(learningRate))
        .l2(l2)
        .weightInit(WeightInit.XAVIER)
        .list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(d)
            .nOut(train.numClasses())
            .activation(Activation.SOFTMAX)
            .build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();

    Random rng = new Random(seed);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      INDArray xs = Features.select(x, order);
      INDArray ys = Features.select(y, order);
      for (int start = 0; start < n; start += batchSize) {
        int end = Math.min(n, start + batchSize);
        INDArray xb = xs.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup();
        INDArray yb = ys.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup();
        net.fit(new DataSet(xb, yb));
      }
    }
    return new Model(net, mean, std, d, train.numClasses());
  }

  /** Same as {@link #fit(LabelledData)}. */
  @Override
  public Model train(LabelledData subset) {
    return fit(subset);
  }

  /** Number of passes over the training set. */
  public int epochs() {
    return epochs;
  }

  /** Minibatch size. */
  public int batchSize() {
    return batchSize;
  }

  /** Adam learning rate. */
  public double learningRate() {
    return learningRate;
  }

  /** L2 penalty on the weights. */
  public double l2() {
    return l2;
  }

  /** Seed of weight initialisation and shuffling. */
  public long seed() {
    return seed;
  }

  /** Whether features are standardised with the training mean and standard deviation. */
  public boolean standardise() {
    return standardise;
  }

  @Override
  public String toString() {
    return "LinearProbe[epochs=" + epochs + ", batchSize=" + batchSize + ", learningRate="
        + learningRate + ", l2=" + l2 + ", seed=" + seed + ", standardise=" + standardise + "]";
  }

  /**
   * A trained linear probe. It owns its network and is not modified by prediction; calls from
   * several threads at once are not supported (DL4J networks are not thread-safe).
   */
  public static final class Model implements Classifier {
    private final MultiLayerNetwork network;
    private final INDArray mean; // [1, d] or null
    private final INDArray std; // [1, d] or null
    private final int dimension;
    private final int numClasses;

    private Model(MultiLayerNetwork network, INDArray mean, INDArray std, int dimension,
        int numClasses) {
      this.network = network;
      this.mean = mean;
      this.std = std;
      this.dimension = dimension;
      this.numClasses = numClasses;
    }

    /** Representation size d the probe was trained on. */
    public int dimension() {
      return dimension;
    }

    /** Number of classes. */
    public int numClasses() {
      return numClasses;
    }

    /**
     * Class probabilities.
     *
     * @param x representations, shape [m, d] (rank &gt; 2 is flattened)
     * @return softmax probabilities, shape [m, numClasses]
     */
    public INDArray probabilities(INDArray x) {
      Objects.requireNonNull(x, "x");
      INDArray f = Features.flatten(x, "features");
      if (f.size(1) != dimension) {
        throw new IllegalArgumentException(
            "features must have " + dimension + " values per example as in training, got shape "
                + Arrays.toString(x.shape())
                + "; compute train and test representations with the same encoder");
      }
      f = f.castTo(network.getLayerWiseConfigurations().getDataType());
      if (mean != null) {
        f = f.subRowVector(mean).divRowVector(std);
      }
      long m = f.size(0);
      INDArray out = Nd4j.create(f.dataType(), m, numClasses);
      for (long start = 0; start < m; start += PREDICT_BATCH) {
        long end = Math.min(m, start + PREDICT_BATCH);
        INDArray batch = f.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup();
        out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all())
            .assign(network.output(batch, false));
      }
      return out;
    }

    /**
     * Most probable class per example (lowest class index on equal probabilities).
     *
     * @param x representations, shape [m, d]
     * @return class per example, length m
     */
    @Override
    public int[] predict(INDArray x) {
      return Nd4j.argMax(probabilities(x), 1).toIntVector();
    }
  }

  /** Builder of {@link LinearProbe}; every setting is optional. */
  public static final class Builder {
    private int epochs = DEFAULT_EPOCHS;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private double learningRate = DEFAULT_LEARNING_RATE;
    private double l2 = DEFAULT_L2;
    private long seed = DEFAULT_SEED;
    private boolean standardise = true;

    private Builder() {}

    /** Passes over the training set, &gt;= 1; default 10. */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** Minibatch size, &gt;= 1; default 256. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Adam learning rate, &gt; 0; default 1e-3. */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** L2 penalty on the weights, &gt;= 0; default 0. */
    public Builder l2(double l2) {
      this.l2 = l2;
      return this;
    }

    /** Seed of weight initialisation and shuffling; default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Standardise features with the training mean and standard deviation; default true. */
    public Builder standardise(boolean standardise) {
      this.standardise = standardise;
      return this;
    }

    /** Validates and builds. */
    public LinearProbe build() {
      if (epochs < 1) {
        throw new IllegalArgumentException(
            "epochs must be >= 1, got " + epochs + "; e.g. 10 for a quick probe, 100 for a final one");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException(
            "batchSize must be >= 1, got " + batchSize + "; e.g. 256");
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException(
            "learningRate must be a finite value > 0, got " + learningRate + "; e.g. 1e-3");
      }
      if (!(l2 >= 0) || Double.isInfinite(l2)) {
        throw new IllegalArgumentException(
            "l2 must be a finite value >= 0, got " + l2 + "; use 0 for no penalty");
      }
      return new LinearProbe(this);
    }
  }
}
