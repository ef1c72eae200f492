package io.github.ssl4j.core.dl4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Whether native buffers are paid for with page faults on every training step, and the one-line
 * fix.
 *
 * <p>ND4J and oneDNN allocate their large temporaries (activations of 10–50 MB at batch 256) with
 * {@code malloc} and free them after each op. glibc serves blocks above its mmap threshold (at
 * most 32 MB) with a fresh {@code mmap} and returns them with {@code munmap}, so the next step
 * touches new memory again: one page fault per 4 KiB page, a large share of a convolutional
 * training step (docs/development/performance.md). With transparent huge pages in {@code
 * madvise} mode (the Debian/Ubuntu default), starting the JVM with {@code
 * GLIBC_TUNABLES=}{@value #RECOMMENDED} (glibc 2.35 or newer) makes glibc ask for huge pages
 * (512 times fewer faults) and keep freed blocks for reuse instead of unmapping them; the process
 * then holds on to its peak native memory.
 *
 * <p>On glibc, {@link MallocTuning} does the part that matters from inside the JVM ({@code
 * mallopt}), and {@link Dl4jRuntime#configureForTraining()} gives this advice only when that could not
 * be done; the huge-page part ({@code glibc.malloc.hugetlb}) has no run-time switch and adds little
 * on top of it.
 */
public final class MallocAdvice {
  /** The environment variable glibc reads its tunables from. */
  public static final String ENV = "GLIBC_TUNABLES";
  /**
   * The recommended tunables: transparent huge pages for malloc, no per-block {@code mmap}, and
   * freed memory kept for reuse (a trim threshold of 16 GiB), so a training loop's buffers are
   * recycled instead of faulted in again each step.
   */
  public static final String RECOMMENDED =
      "glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184";

  private static final Path THP_MODE = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

  private MallocAdvice() {}

  /** @return advice for this process, empty when nothing is to gain or it is already done */
  public static Optional<String> forThisProcess() {
    return advise(System.getProperty("os.name", ""), System.getenv(), readThpMode());
  }

  /**
   * @param osName {@code os.name}
   * @param env the process environment
   * @param thpMode content of {@code /sys/kernel/mm/transparent_hugepage/enabled}, or null
   * @return advice, empty when not Linux, THP unavailable, set to {@code always}/{@code never}, or
   *     the tunable already given
   */
  static Optional<String> advise(String osName, Map<String, String> env, String thpMode) {
    if (!osName.toLowerCase().contains("linux") || thpMode == null || !thpMode.contains("[madvise]")) {
      return Optional.empty();
    }
    String tunables = env.getOrDefault(ENV, "");
    if (tunables.contains("glibc.malloc.hugetlb=")) {
      return Optional.empty();
    }
    String value = tunables.isBlank() ? RECOMMENDED : tunables + ":" + RECOMMENDED;
    return Optional.of(
        "native buffers are allocated with 4 KiB pages, so every training step page-faults on"
            + " fresh memory. Start the JVM with the environment"
            + " variable " + ENV + "=" + value + " (glibc 2.35+; ignored elsewhere), e.g. '" + ENV
            + "=" + value + " mvn ...' or 'export " + ENV + "=" + value + "'. See docs/development/performance.md");
  }

  private static String readThpMode() {
    try {
      return Files.isReadable(THP_MODE) ? Files.readString(THP_MODE) : null;
    } catch (IOException | SecurityException e) {
      return null;
    }
  }
}
