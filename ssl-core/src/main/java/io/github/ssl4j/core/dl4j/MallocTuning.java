package io.github.ssl4j.core.dl4j;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Keeps glibc from unmapping and re-faulting ND4J's large native buffers on every training step,
 * from inside the running JVM.
 *
 * <p>ND4J and oneDNN allocate their large temporaries with {@code malloc} and free them after
 * each op. glibc serves blocks above its mmap threshold (at most 32 MiB) with a fresh {@code mmap}
 * and returns them with {@code munmap}, so the next step touches new memory again: one page fault
 * per 4 KiB page, a large share of a convolutional training step (docs/development/performance.md). Unlike the environment variable {@code GLIBC_TUNABLES}, glibc's settings can also be changed at
 * run time with {@code mallopt(3)}; this class sets three:
 *
 * <ul>
 *   <li>{@code M_MMAP_MAX = 0}: large blocks come from the arenas' heaps and are reused after
 *       {@code free};
 *   <li>{@code M_TRIM_THRESHOLD} at its maximum: freed memory at the top of a heap is kept, not
 *       returned;
 *   <li>{@code M_TOP_PAD = 64 MiB}: a thread arena's extra heap that falls empty is kept, not
 *       unmapped (glibc deletes such heaps regardless of the trim threshold unless the pad says
 *       otherwise; measured: without it a freed 40 MiB block was faulted in again every time).
 * </ul>
 *
 * <p>Blocks of 64 MiB and more allocated on threads other than the process's first one are still
 * mapped afresh each time (a thread arena's heap holds at most 64 MiB). The price: the process
 * keeps its peak native memory, including what the first steps of a run allocate once and never
 * again (DL4J's workspaces learn their sizes over the first steps and allocate outside them until
 * then). {@link #mapLargeBlocks} lets glibc map large blocks afresh during such a phase, and
 * {@link #releaseFreeMemory()} hands memory freed between blocks in use back; the training loop
 * does both in a run's first steps and releases now and then after that.
 *
 * <p>The settings apply to the whole process, so ssl4j applies them only when training starts
 * ({@link Dl4jRuntime#configureForTraining()}), never on class load or for inference. It is
 * skipped when not on glibc/Linux, when {@code GLIBC_TUNABLES} already sets {@code
 * glibc.malloc.mmap_max} (the user chose), or when the system property {@value #PROPERTY} is
 * {@code false}.
 */
public final class MallocTuning {
  /** Set to {@code false} to leave glibc's malloc settings alone. */
  public static final String PROPERTY = "ssl4j.malloc.tune";

  /** {@code M_TRIM_THRESHOLD} from glibc's {@code malloc.h}. */
  static final int M_TRIM_THRESHOLD = -1;
  /** {@code M_TOP_PAD} from glibc's {@code malloc.h}. */
  static final int M_TOP_PAD = -2;
  /** {@code M_MMAP_MAX} from glibc's {@code malloc.h}. */
  static final int M_MMAP_MAX = -4;

  /** glibc's default {@code M_MMAP_MAX}. */
  static final int DEFAULT_MMAP_MAX = 65536;

  /** 64 MiB: see {@link #apply()}. */
  static final int TOP_PAD = 64 << 20;

  private static Outcome outcome;
  /** libc, once {@link #apply()} has changed its settings; null otherwise. */
  private static volatile LibC tuned;
  /** How many times this process called {@code mallopt}. */
  private static int malloptCalls;

  private MallocTuning() {}

  /**
   * What {@link #apply()} did.
   *
   * @param applied whether glibc's settings were changed
   * @param reason why (or why not), for logs and reports
   */
  public record Outcome(boolean applied, String reason) {}

  /** The part of libc this class calls. */
  interface LibC extends Library {
    int mallopt(int param, int value);

    String gnu_get_libc_version();

    int malloc_trim(long pad);
  }

  /**
   * Applies the settings once per process (later calls return the first outcome). Never throws:
   * if libc cannot be reached, the outcome says why and nothing changes.
   *
   * @return what was done
   */
  public static synchronized Outcome apply() {
    if (outcome == null) {
      String skip = skipReason(System.getProperty("os.name", ""), System.getenv(), System.getProperty(PROPERTY));
      outcome = skip != null ? new Outcome(false, skip) : callMallopt();
    }
    return outcome;
  }

  /** @return whether {@link #apply()} changed glibc's settings in this process */
  public static synchronized boolean applied() {
    return outcome != null && outcome.applied();
  }

  /**
   * Returns the free memory between the blocks in use in glibc's heaps to the operating system
   * ({@code malloc_trim(0)}: whole free pages are given back, the address space is kept), so the
   * process's resident memory is what it uses plus what it is about to reuse. Does nothing unless
   * {@link #apply()} changed glibc's settings in this process. Costs a walk over the free blocks,
   * up to tens of milliseconds after a first training step, and one page fault per page that is
   * used again later; call it after phases that free much memory for good, not after every step.
   * Never throws.
   *
   * @return whether glibc reported memory returned to the system
   */
  public static boolean releaseFreeMemory() {
    return callIfTuned(c -> c.malloc_trim(0));
  }

  /**
   * Whether glibc maps blocks above its mmap threshold afresh ({@code M_MMAP_MAX} back to its
   * default, so they go back to the system when freed) or serves them from its heaps ({@code
   * M_MMAP_MAX = 0}, as {@link #apply()} sets it). For phases that allocate large blocks once and
   * free them for good, such as a run's first steps while DL4J's workspaces learn their sizes. Does
   * nothing unless {@link #apply()} changed glibc's settings in this process. Never throws.
   *
   * @param mapped true to map large blocks afresh, false to serve them from the heaps again
   * @return whether glibc accepted the setting
   */
  public static boolean mapLargeBlocks(boolean mapped) {
    return callIfTuned(c -> c.mallopt(M_MMAP_MAX, mapped ? DEFAULT_MMAP_MAX : 0));
  }

  /**
   * @param call a libc call that returns 1 on success, as {@code mallopt} and {@code malloc_trim} do
   * @return false without calling when {@link #apply()} did not tune glibc or the call failed
   */
  private static boolean callIfTuned(ToIntFunction<LibC> call) {
    LibC c = tuned;
    if (c == null) {
      return false;
    }
    try {
      return call.applyAsInt(c) == 1;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  /** @return how many times {@link #apply()} called glibc's {@code mallopt} in this process (0 or 3) */
  static synchronized int malloptCalls() {
    return malloptCalls;
  }

  /**
   * @param osName {@code os.name}
   * @param env the process environment
   * @param property the value of {@value #PROPERTY}, or null
   * @return why not to tune, or null to go ahead
   */
  static String skipReason(String osName, Map<String, String> env, String property) {
    if (property != null && property.trim().equalsIgnoreCase("false")) {
      return "disabled by -D" + PROPERTY + "=false";
    }
    if (!osName.toLowerCase(Locale.ROOT).contains("linux")) {
      return "not Linux (" + osName + ")";
    }
    String tunables = env.getOrDefault(MallocAdvice.ENV, "");
    if (tunables.contains("glibc.malloc.mmap_max")) {
      return MallocAdvice.ENV + " already sets glibc.malloc.mmap_max";
    }
    return null;
  }

  private static boolean mallopt(LibC c, int param, int value) {
    malloptCalls++;
    return c.mallopt(param, value) == 1;
  }

  private static Outcome callMallopt() {
    try {
      LibC c = Native.loadLibrary("c", LibC.class);
      String version = c.gnu_get_libc_version(); // absent on musl: UnsatisfiedLinkError
      boolean ok = mallopt(c, M_MMAP_MAX, 0) & mallopt(c, M_TRIM_THRESHOLD, Integer.MAX_VALUE)
          & mallopt(c, M_TOP_PAD, TOP_PAD);
      if (ok) {
        tuned = c;
      }
      return ok
          ? new Outcome(true, "glibc " + version + ": mallopt M_MMAP_MAX=0, M_TRIM_THRESHOLD="
              + Integer.MAX_VALUE + ", M_TOP_PAD=" + TOP_PAD)
          : new Outcome(false, "glibc " + version + " refused mallopt");
    } catch (LinkageError | RuntimeException e) {
      return new Outcome(false, "libc not reachable through JNA: " + e);
    }
  }
}
