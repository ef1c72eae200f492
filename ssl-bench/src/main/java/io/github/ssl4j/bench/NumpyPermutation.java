package io.github.ssl4j.bench;

/**
 * Bit-exact re-implementation of NumPy's {@code np.random.default_rng(seed).permutation(n)} (NumPy
 * &gt;= 1.17 {@code Generator}: {@code SeedSequence} seeding of {@code PCG64}, Fisher–Yates shuffle
 * with masked rejection sampling), so that a split drawn with it puts exactly the same items in each
 * part as the PyTorch reference's {@code np.random.default_rng(seed).permutation(len(mails))}. Fits
 * {@code TrainTestSplit.Permutation} as {@code NumpyPermutation::permutation}.
 *
 * <p>Only non-negative seeds are supported (NumPy rejects negative ones too).
 */
public final class NumpyPermutation {
  private static final int INIT_A = 0x43b0d7e5;
  private static final int MULT_A = 0x931e8875;
  private static final int INIT_B = 0x8b51f9dd;
  private static final int MULT_B = 0x58f38ded;
  private static final int MIX_MULT_L = 0xca01f9dd;
  private static final int MIX_MULT_R = 0x4973f715;
  private static final int POOL_SIZE = 4;
  private static final long MULT_HI = 2549297995355413924L;
  private static final long MULT_LO = 4865540595714422341L;

  private long stateHi;
  private long stateLo;
  private final long incHi;
  private final long incLo;
  private boolean hasUint32;
  private int uint32;

  private NumpyPermutation(long seed) {
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be >= 0 (as for NumPy's default_rng), got " + seed);
    }
    long[] s = seedSequenceState(seed);
    // pcg64_set_seed: initstate = s[0]:s[1] (high:low), initseq = s[2]:s[3]
    long seqHi = s[2];
    long seqLo = s[3];
    // inc = (initseq << 1) | 1
    incHi = (seqHi << 1) | (seqLo >>> 63);
    incLo = (seqLo << 1) | 1L;
    stateHi = 0;
    stateLo = 0;
    step();
    long lo = stateLo + s[1];
    stateHi = stateHi + s[0] + (Long.compareUnsigned(lo, stateLo) < 0 ? 1 : 0);
    stateLo = lo;
    step();
  }

  /** {@code np.random.default_rng(seed).permutation(n)}. */
  public static int[] permutation(int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    NumpyPermutation rng = new NumpyPermutation(seed);
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i >= 1; i--) {
      int j = rng.interval(i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** NumPy's {@code random_interval(max)} for max &lt;= 2^31 - 1: uniform in [0, max]. */
  private int interval(int max) {
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    do {
      value = (nextUint32() & 0xFFFFFFFFL) & mask;
    } while (value > max);
    return (int) value;
  }

  private int nextUint32() {
    if (hasUint32) {
      hasUint32 = false;
      return uint32;
    }
    long next = next64();
    hasUint32 = true;
    uint32 = (int) (next >>> 32);
    return (int) next;
  }

  private long next64() {
    step();
    long x = stateHi ^ stateLo;
    int rot = (int) (stateHi >>> 58);
    return Long.rotateRight(x, rot);
  }

  /** state = state * MULT + inc (mod 2^128). */
  private void step() {
    long lo = stateLo * MULT_LO;
    long hi = unsignedMultiplyHigh(stateLo, MULT_LO) + stateHi * MULT_LO + stateLo * MULT_HI;
    long lo2 = lo + incLo;
    hi = hi + incHi + (Long.compareUnsigned(lo2, lo) < 0 ? 1 : 0);
    stateHi = hi;
    stateLo = lo2;
  }

  /** High 64 bits of the unsigned 128-bit product (Java 17 has only the signed one). */
  private static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  /** {@code SeedSequence(seed).generate_state(4, uint64)}. */
  private static long[] seedSequenceState(long seed) {
    int[] entropy = seed >>> 32 == 0 ? new int[] {(int) seed} : new int[] {(int) seed, (int) (seed >>> 32)};
    int[] pool = new int[POOL_SIZE];
    int[] hashConst = {INIT_A};
    for (int i = 0; i < POOL_SIZE; i++) {
      pool[i] = hashmix(i < entropy.length ? entropy[i] : 0, hashConst);
    }
    for (int src = 0; src < POOL_SIZE; src++) {
      for (int dst = 0; dst < POOL_SIZE; dst++) {
        if (src != dst) {
          pool[dst] = mix(pool[dst], hashmix(pool[src], hashConst));
        }
      }
    }
    for (int src = POOL_SIZE; src < entropy.length; src++) {
      for (int dst = 0; dst < POOL_SIZE; dst++) {
        pool[dst] = mix(pool[dst], hashmix(entropy[src], hashConst));
      }
    }
    int h = INIT_B;
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      int v = pool[i % POOL_SIZE];
      v ^= h;
      h *= MULT_B;
      v *= h;
      v ^= v >>> 16;
      words[i] = v;
    }
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = (words[2 * i] & 0xFFFFFFFFL) | ((long) words[2 * i + 1] << 32);
    }
    return out;
  }

  private static int hashmix(int value, int[] hashConst) {
    value ^= hashConst[0];
    hashConst[0] *= MULT_A;
    value *= hashConst[0];
    value ^= value >>> 16;
    return value;
  }

  private static int mix(int x, int y) {
    int r = MIX_MULT_L * x - MIX_MULT_R * y;
    r ^= r >>> 16;
    return r;
  }
}
