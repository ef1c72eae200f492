package io.github.ssl4j.core.eval;

import io.github.ssl4j.core.InputShapes;
import io.github.ssl4j.core.data.Minibatches;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.core.train.TrainingLoop;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Linear probe: multinomial logistic regression on frozen representations (one DL4J
 * {@link OutputLayer} with softmax and multi-class cross-entropy), trained with minibatch Adam
 * ({@link Solver#ADAM}, the default) or fitted to convergence with full-batch L-BFGS ({@link
 * Solver#LBFGS}).
 *
 * <p>{@link Solver#LBFGS} minimises mean cross-entropy + (l2/2)·|W|² (bias not penalised) in double
 * precision from zero weights, with history 20, a strong-Wolfe line search and torch's stopping
 * rules (max|grad| &lt;= 1e-7, {@code maxIterations}, 1.25 × {@code maxIterations} evaluations;
 * step or relative loss change below 1e-12, tighter than torch's 1e-9 so that the gradient test
 * decides); see {@link Lbfgs}. It is deterministic and ignores {@code
 * epochs}, {@code batchSize}, {@code learningRate} and {@code seed}. It matches the PyTorch
 * reference {@code torch.optim.LBFGS(max_iter=300, history_size=20, line_search_fn='strong_wolfe')}
 * with loss {@code cross_entropy + wd*|W|^2}: because {@code l2} follows DL4J's convention
 * (gradient l2·W, penalty (l2/2)|W|²), the reference's {@code wd} is {@code l2 = 2*wd}, e.g.
 * wd=1e-4 is {@code l2(2e-4)}:
 *
 * <pre>{@code
 * LinearProbe probe = LinearProbe.builder().lbfgs(300).l2(2e-4).build();
 * // same as builder().solver(LinearProbe.Solver.LBFGS).maxIterations(300).l2(2e-4)
 * }</pre>
 *
 * <p>With Adam, training runs through the {@link TrainingLoop} (the loop of pretraining): the
 * examples are visited in the {@link Minibatches#keepLast} order of {@code seed} and the weights
 * are initialised from the same seed, so two fits on the same data give the same model; a NaN or
 * infinite loss throws {@link io.github.ssl4j.core.train.DivergenceException}. With {@code standardise(true)} (the default) every feature is shifted and scaled
 * by the training set's mean and population standard deviation (a feature with standard deviation below
 * 1e-8 is only shifted); the same transform is applied to every input of {@link Model#predict}.
 *
 * <pre>{@code
 * LinearProbe probe = LinearProbe.builder().epochs(10).learningRate(1e-3).seed(42).build();
 * LinearProbe.Result r = probe.evaluate(trainRepresentations, testRepresentations);
 * System.out.printf("linear probe: %.2f %% test accuracy%n", 100 * r.testAccuracy());
 * }</pre>
 *
 * <p>The probe is immutable; {@link #fit} creates a fresh network each time. Both solvers return
 * the same {@link Model} type.
 */
public final class LinearProbe implements ClassifierTrainer {
  /** Default number of passes over the training set. */
  public static final int DEFAULT_EPOCHS = 10;
  /** Default minibatch size. */
  public static final int DEFAULT_BATCH_SIZE = 256;
  /** Default Adam learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  /** Default L2 penalty on the weights (not the bias). */
  public static final double DEFAULT_L2 = 0.0;
  /** Default solver of the builder. */
  public static final Solver DEFAULT_SOLVER = Solver.ADAM;
  /** Default L-BFGS iteration budget, 300. */
  public static final int DEFAULT_MAX_ITERATIONS = 300;

  /** How the probe is trained. */
  public enum Solver {
    /** Minibatch Adam for {@code epochs} passes (stops before convergence). */
    ADAM,
    /** Full-batch L-BFGS in double precision for at most {@code maxIterations} iterations. */
    LBFGS
  }

  private static final double MIN_STD = 1e-8;
  private static final int PREDICT_BATCH = 8192;

  private final int epochs;
  private final int batchSize;
  private final double learningRate;
  private final double l2;
  private final long seed;
  private final boolean standardise;
  private final Solver solver;
  private final int maxIterations;

  private LinearProbe(Builder b) {
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.l2 = b.l2;
    this.seed = b.seed;
    this.standardise = b.standardise;
    this.solver = b.solver;
    this.maxIterations = b.maxIterations;
  }

  /**
   * A builder with the defaults (Adam, 10 epochs, batch 256, lr 1e-3, L2 0, seed 42, standardise;
   * 300 iterations if switched to L-BFGS).
   */
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
   * @throws IllegalArgumentException if the features hold NaN or infinity, or have collapsed (every
   *     dimension's spread across 10 or more examples near zero: a collapsed encoder)
   */
  public Model fit(LabelledData train) {
    Objects.requireNonNull(train, "train");
    INDArray x = Features.flatten(train.features(), "train features");
    Features.checkUsable(x, "The train features");
    DataType type = solver == Solver.LBFGS ? DataType.DOUBLE : Features.computeType(x);
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
    int k = train.numClasses();
    MultiLayerNetwork net = newNetwork(type, d, k);
    if (solver == Solver.LBFGS) {
      SoftmaxRegressionObjective objective = new SoftmaxRegressionObjective(x, y, l2);
      Lbfgs.Result r = Lbfgs.withDefaults(maxIterations)
          .minimize(objective, new double[objective.numParameters()]);
      double[] theta = r.x();
      net.setParam("0_W", Nd4j.createFromArray(Arrays.copyOf(theta, d * k)).reshape(d, k));
      net.setParam("0_b", Nd4j.createFromArray(Arrays.copyOfRange(theta, d * k, d * k + k))
          .reshape(1, k));
      return new Model(net, mean, std, d, k);
    }

    Minibatches order = Minibatches.keepLast(n, batchSize, seed);
    TrainingLoop.builder(TrainingLoop.Network.of(net), TrainingLoop.Batches.of(x, y, order, null),
            order.stepsPerEpoch(), epochs * order.stepsPerEpoch())
        .seed(seed)
        .paramCheckEverySteps(Math.toIntExact(order.stepsPerEpoch()))
        .divergenceAdvice("standardise(true) (the default)", null)
        .build()
        .run();
    return new Model(net, mean, std, d, k);
  }

  /** A fresh, initialised softmax output layer network (the Adam path trains it as is). */
  private MultiLayerNetwork newNetwork(DataType type, int d, int k) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(Seeds.forNd4j(seed))
        .dataType(type)
        .updater(new Adam(learningRate))
        .l2(l2)
        .weightInit(WeightInit.XAVIER)
        .list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(d)
            .nOut(k)
            .activation(Activation.SOFTMAX)
            .build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /**
   * The objective {@link Solver#LBFGS} minimises, mean cross-entropy + (l2/2)·|W|² with this
   * probe's {@code l2}, evaluated in double at {@code model}'s weights on {@code data}
   * standardised as {@code model} does. For tests and diagnostics.
   *
   * @param gradient if not null, receives the gradient (W row-major [d, k], then b)
   */
  double objective(Model model, LabelledData data, double[] gradient) {
    SoftmaxRegressionObjective f = new SoftmaxRegressionObjective(
        model.standardised(data.features()), data.oneHot(), l2);
    return f.evaluate(model.parameters(), gradient);
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

  /** L2 penalty on the weights: gradient l2·W, i.e. penalty (l2/2)·|W|². */
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

  /** How the probe is trained. */
  public Solver solver() {
    return solver;
  }

  /** L-BFGS iteration budget (used by {@link Solver#LBFGS} only). */
  public int maxIterations() {
    return maxIterations;
  }

  @Override
  public String toString() {
    return "LinearProbe[solver=" + solver + ", epochs=" + epochs + ", batchSize=" + batchSize
        + ", learningRate=" + learningRate + ", maxIterations=" + maxIterations + ", l2=" + l2
        + ", seed=" + seed + ", standardise=" + standardise + "]";
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
      INDArray f = standardised(x);
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
     * @throws IllegalArgumentException if the dimension differs from training's, or a row holds NaN
     *     or infinity (the message names the row)
     */
    @Override
    public int[] predict(INDArray x) {
      return Nd4j.argMax(probabilities(x), 1).toIntVector();
    }

    /** {@code x} flattened, cast to the network's type and standardised as in training. */
    INDArray standardised(INDArray x) {
      Objects.requireNonNull(x, "x");
      INDArray f = Features.flatten(x, "features");
      if (f.size(1) != dimension) {
        throw new IllegalArgumentException(
            "features must have " + dimension + " values per example as in training, got shape "
                + Arrays.toString(x.shape())
                + "; compute train and test representations with the same encoder");
      }
      InputShapes.checkFinite(f, "The features");
      f = f.castTo(network.getLayerWiseConfigurations().getDataType());
      if (mean != null) {
        f = f.subRowVector(mean).divRowVector(std);
      }
      return f;
    }

    /** Weights and bias as one double vector: W [d, k] row-major, then b [k]. */
    double[] parameters() {
      return SoftmaxRegressionObjective.pack(network.getParam("0_W"), network.getParam("0_b"));
    }
  }

  /** Builder of {@link LinearProbe}; every setting is optional. */
  public static final class Builder {
    private int epochs = DEFAULT_EPOCHS;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private double learningRate = DEFAULT_LEARNING_RATE;
    private double l2 = DEFAULT_L2;
    private long seed = Seeds.DEFAULT;
    private boolean standardise = true;
    private Solver solver = DEFAULT_SOLVER;
    private int maxIterations = DEFAULT_MAX_ITERATIONS;

    private Builder() {}

    /** How the probe is trained; default {@link Solver#ADAM}. */
    public Builder solver(Solver solver) {
      this.solver = Objects.requireNonNull(solver, "solver");
      return this;
    }

    /** L-BFGS iteration budget, &gt;= 1, used by {@link Solver#LBFGS} only; default 300. */
    public Builder maxIterations(int maxIterations) {
      this.maxIterations = maxIterations;
      return this;
    }

    /** Full-batch L-BFGS, at most {@code maxIterations}: {@code solver(LBFGS).maxIterations(n)}. */
    public Builder lbfgs(int maxIterations) {
      return solver(Solver.LBFGS).maxIterations(maxIterations);
    }

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

    /**
     * L2 penalty on the weights (not the bias), &gt;= 0; default 0. DL4J's convention: the gradient
     * gets l2·W, i.e. the penalty is (l2/2)·|W|², so PyTorch's {@code wd*|W|^2} is
     * {@code l2 = 2*wd}.
     */
    public Builder l2(double l2) {
      this.l2 = l2;
      return this;
    }

    /** Seed of weight initialisation and shuffling; default {@link Seeds#DEFAULT} (42). */
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
      if (maxIterations < 1) {
        throw new IllegalArgumentException(
            "maxIterations (L-BFGS iteration budget) must be >= 1, got " + maxIterations
                + "; e.g. " + DEFAULT_MAX_ITERATIONS);
      }
      return new LinearProbe(this);
    }
  }
}
