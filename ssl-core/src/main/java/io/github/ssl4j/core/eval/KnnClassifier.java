package io.github.ssl4j.core.eval;

import io.github.ssl4j.core.InputShapes;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Weighted k-nearest-neighbour classifier on representations, as used to monitor
 * self-supervised training (Wu et al. 2018, "Unsupervised Feature Learning via Non-Parametric
 * Instance Discrimination"; lightly's {@code knn_predict}).
 *
 * <p>Bank and queries are L2-normalised per example ({@code x / max(||x||, 1e-12)}, so a zero
 * vector stays zero), similarity is the cosine (dot product of normalised vectors), each query
 * takes its {@code min(k, bankSize)} most similar bank examples, and each neighbour votes for its
 * class with weight {@code exp(sim / T)}. The class with the largest summed weight wins.
 *
 * <p>Rules that make the result deterministic and well defined:
 *
 * <ul>
 *   <li>A bank smaller than {@code k} is legitimate (few-label subsets): all bank examples vote
 *       then, i.e. the effective k is {@code min(k, bankSize)}. {@link Model#effectiveK()} tells
 *       which was used.
 *   <li>Neighbours with equal similarity are ranked by bank index (lower first); classes with equal
 *       summed weight are resolved to the lower class index.
 *   <li>Weights are computed as {@code exp((sim - maxSim) / T)} per query, which has the same
 *       argmax as {@code exp(sim / T)} but cannot overflow for small T.
 * </ul>
 *
 * <p>Similarities are computed with one matrix product per block of {@code blockSize} queries, so
 * memory is bounded by about {@code 2 * blockSize * bankSize} values (one copy off-heap, one on
 * the Java heap: about 250 MB of float32 for the default 512 queries against a 60,000 bank) plus
 * the normalised bank. Computation runs in the
 * bank's floating-point type (float32 or float64; other types are cast to float32).
 *
 * <pre>{@code
 * KnnClassifier knn = KnnClassifier.builder().k(200).temperature(0.1).build();
 * double acc = knn.fit(trainRepresentations).accuracy(testRepresentations);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; so is the fitted {@link Model}.
 */
public final class KnnClassifier implements ClassifierTrainer {

  /** Default number of neighbours, 200 as in InstDisc and lightly. */
  public static final int DEFAULT_K = 200;

  /** Default temperature of the vote weights, 0.1 as in InstDisc and lightly. */
  public static final double DEFAULT_TEMPERATURE = 0.1;

  /** Default number of queries per similarity block. */
  public static final int DEFAULT_BLOCK_SIZE = 512;

  private static final double NORM_EPS = 1e-12;

  private final int k;
  private final double temperature;
  private final int blockSize;

  private KnnClassifier(Builder b) {
    this.k = b.k;
    this.temperature = b.temperature;
    this.blockSize = b.blockSize;
  }

  /** A builder with the defaults k = 200, T = 0.1, blockSize = 512. */
  public static Builder builder() {
    return new Builder();
  }

  /** The number of neighbours asked for (the effective number is {@code min(k, bankSize)}). */
  public int k() {
    return k;
  }

  /** The temperature T of the vote weights {@code exp(sim / T)}. */
  public double temperature() {
    return temperature;
  }

  /** Queries per similarity block. */
  public int blockSize() {
    return blockSize;
  }

  /**
   * Stores the L2-normalised bank.
   *
   * @param bank representations, shape [n, d] (rank &gt; 2 is flattened to [n, d]), with labels
   * @return the fitted classifier; {@code bank} itself is neither kept nor modified
   * @throws IllegalArgumentException if the features hold NaN or infinity, or have collapsed (every
   *     dimension's spread across 10 or more examples near zero: a collapsed encoder)
   */
  public Model fit(LabelledData bank) {
    Objects.requireNonNull(bank, "bank");
    INDArray x = Features.flatten(bank.features(), "bank features");
    Features.checkUsable(x, "The bank features");
    DataType type = Features.computeType(x);
    INDArray normalisedT = normalise(x.castTo(type)).transpose().dup('c'); // [d, n]
    return new Model(this, normalisedT, bank.labels().clone(), bank.numClasses());
  }

  /** Same as {@link #fit(LabelledData)}. */
  @Override
  public Model train(LabelledData subset) {
    return fit(subset);
  }

  @Override
  public String toString() {
    return "KnnClassifier[k=" + k + ", temperature=" + temperature + ", blockSize=" + blockSize
        + "]";
  }

  /** Rows divided by max(L2 norm, 1e-12); returns a new array. */
  private static INDArray normalise(INDArray x) {
    INDArray norms = x.norm2(1).reshape(x.size(0), 1);
    norms = Transforms.max(norms, NORM_EPS, false);
    return x.divColumnVector(norms);
  }

  /** A kNN classifier with its normalised bank. Immutable. */
  public static final class Model implements Classifier {
    private final KnnClassifier config;
    private final INDArray bankT; // [d, n], normalised rows of the bank as columns
    private final int[] labels;
    private final int numClasses;

    private Model(KnnClassifier config, INDArray bankT, int[] labels, int numClasses) {
      this.config = config;
      this.bankT = bankT;
      this.labels = labels;
      this.numClasses = numClasses;
    }

    /** Number of examples in the bank. */
    public int bankSize() {
      return labels.length;
    }

    /** Representation size d. */
    public long dimension() {
      return bankT.size(0);
    }

    /** Neighbours actually used per query: {@code min(k, bankSize)}. */
    public int effectiveK() {
      return Math.min(config.k, labels.length);
    }

    /** The configuration this model was fitted with. */
    public KnnClassifier config() {
      return config;
    }

    /**
     * Predicts the class of each query.
     *
     * @param queries representations, shape [m, d] (rank &gt; 2 is flattened), d as in the bank
     * @return predicted class per query, length m
     * @throws IllegalArgumentException if the dimension differs from the bank's, or a query holds
     *     NaN or infinity (the message names the row)
     */
    @Override
    public int[] predict(INDArray queries) {
      Objects.requireNonNull(queries, "queries");
      INDArray q = Features.flatten(queries, "queries");
      if (q.size(1) != bankT.size(0)) {
        throw new IllegalArgumentException(
            "queries must have " + bankT.size(0) + " features per example like the bank, got shape "
                + Arrays.toString(queries.shape())
                + "; compute bank and queries with the same encoder");
      }
      InputShapes.checkFinite(q, "The queries");
      int m = Math.toIntExact(q.size(0));
      q = normalise(q.castTo(bankT.dataType()));
      int n = labels.length;
      int kEff = effectiveK();
      int[] out = new int[m];
      int[] heapIdx = new int[kEff];
      double[] heapSim = new double[kEff];
      double[] scores = new double[numClasses];
      double[] row = new double[n];
      // Similarities go into one preallocated c-ordered buffer per block size: INDArray.mmul
      // allocates a fresh [block, n] result per call, far slower than gemm into a reused buffer.
      INDArray buffer = null;
      for (int start = 0; start < m; start += config.blockSize) {
        int end = Math.min(m, start + config.blockSize);
        if (buffer == null || buffer.size(0) != end - start) {
          buffer = Nd4j.create(bankT.dataType(), new long[] {end - start, n}, 'c');
        }
        INDArray qBlock = q.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup('c');
        INDArray sim = Nd4j.gemm(qBlock, bankT, buffer, false, false, 1.0, 0.0);
        // One bulk copy per block; per-row INDArray access costs far more than the top-k scan.
        float[] blockF = sim.dataType() == DataType.DOUBLE ? null : sim.data().asFloat();
        double[] blockD = blockF == null ? sim.data().asDouble() : null;
        for (int r = 0; r < end - start; r++) {
          int offset = r * n;
          if (blockD != null) {
            System.arraycopy(blockD, offset, row, 0, n);
          } else {
            for (int j = 0; j < n; j++) {
              row[j] = blockF[offset + j];
            }
          }
          topK(row, n, kEff, heapIdx, heapSim);
          out[start + r] = vote(heapIdx, heapSim, kEff, scores);
        }
      }
      return out;
    }

    /**
     * Fills the heap arrays with the kEff best (sim desc, index asc) entries of s, then sorts
     * them best first.
     */
    private static void topK(double[] s, int n, int kEff, int[] idx, double[] sim) {
      int size = 0;
      for (int j = 0; j < n; j++) {
        double v = s[j];
        if (size < kEff) {
          idx[size] = j;
          sim[size] = v;
          siftUp(idx, sim, size);
          size++;
        } else if (better(v, j, sim[0], idx[0])) {
          idx[0] = j;
          sim[0] = v;
          siftDown(idx, sim, kEff);
        }
      }
      // Heap sort: repeatedly move the worst to the end, giving best-first order.
      for (int end = kEff - 1; end > 0; end--) {
        swap(idx, sim, 0, end);
        siftDown(idx, sim, end);
      }
    }

    private int vote(int[] idx, double[] sim, int kEff, double[] scores) {
      Arrays.fill(scores, 0.0);
      double max = sim[0];
      for (int i = 0; i < kEff; i++) {
        scores[labels[idx[i]]] += Math.exp((sim[i] - max) / config.temperature);
      }
      int best = 0;
      for (int c = 1; c < numClasses; c++) {
        if (scores[c] > scores[best]) {
          best = c;
        }
      }
      return best;
    }

    /** True if (v, j) ranks before (w, i): higher similarity, then lower index. */
    private static boolean better(double v, int j, double w, int i) {
      return v > w || (v == w && j < i);
    }

    // Min-heap on rank: the root is the worst of the kept entries.
    private static void siftUp(int[] idx, double[] sim, int pos) {
      while (pos > 0) {
        int parent = (pos - 1) >>> 1;
        if (better(sim[parent], idx[parent], sim[pos], idx[pos])) {
          swap(idx, sim, parent, pos);
          pos = parent;
        } else {
          return;
        }
      }
    }

    private static void siftDown(int[] idx, double[] sim, int size) {
      int pos = 0;
      while (true) {
        int left = 2 * pos + 1;
        if (left >= size) {
          return;
        }
        int worst = left;
        int right = left + 1;
        if (right < size && better(sim[left], idx[left], sim[right], idx[right])) {
          worst = right;
        }
        if (better(sim[pos], idx[pos], sim[worst], idx[worst])) {
          swap(idx, sim, pos, worst);
          pos = worst;
        } else {
          return;
        }
      }
    }

    private static void swap(int[] idx, double[] sim, int a, int b) {
      int ti = idx[a];
      idx[a] = idx[b];
      idx[b] = ti;
      double ts = sim[a];
      sim[a] = sim[b];
      sim[b] = ts;
    }
  }

  /** Builder of {@link KnnClassifier}; every setting is optional. */
  public static final class Builder {
    private int k = DEFAULT_K;
    private double temperature = DEFAULT_TEMPERATURE;
    private int blockSize = DEFAULT_BLOCK_SIZE;

    private Builder() {}

    /** Number of neighbours, &gt;= 1; default 200. A smaller bank uses all its examples. */
    public Builder k(int k) {
      this.k = k;
      return this;
    }

    /** Temperature T &gt; 0 of the vote weights {@code exp(sim / T)}; default 0.1. */
    public Builder temperature(double temperature) {
      this.temperature = temperature;
      return this;
    }

    /**
     * Queries per similarity block, &gt;= 1; default 512. Memory per block is about {@code 2 *
     * blockSize * bankSize} values; the result does not depend on it.
     */
    public Builder blockSize(int blockSize) {
      this.blockSize = blockSize;
      return this;
    }

    /** Validates and builds. */
    public KnnClassifier build() {
      if (k < 1) {
        throw new IllegalArgumentException(
            "k must be >= 1, got " + k + "; the usual choice is 200 (or 20 for small banks)");
      }
      if (!(temperature > 0) || Double.isInfinite(temperature)) {
        throw new IllegalArgumentException(
            "temperature must be a finite value > 0, got " + temperature
                + "; the usual choice is 0.1");
      }
      if (blockSize < 1) {
        throw new IllegalArgumentException(
            "blockSize must be >= 1, got " + blockSize + "; e.g. 512 queries per block");
      }
      return new KnnClassifier(this);
    }
  }
}
