package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class MallocTuningTest {

  @Test
  void skipsWhenDisabledNotLinuxOrAlreadyTuned() {
    assertTrue(MallocTuning.skipReason("Linux", Map.of(), "false").contains("-Dssl4j.malloc.tune=false"));
    assertTrue(MallocTuning.skipReason("Mac OS X", Map.of(), null).contains("not Linux"));
    assertTrue(MallocTuning.skipReason("Linux",
        Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_max=0"), null).contains("already sets"));
    assertNull(MallocTuning.skipReason("Linux", Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), null));
    assertNull(MallocTuning.skipReason("Linux", Map.of(), "true"));
    assertNull(MallocTuning.skipReason("Linux", Map.of(), null));
  }

  /**
   * The effect itself: a 40 MiB block (above glibc's largest mmap threshold, below the 64 MiB of a
   * thread arena's heap) freed and allocated again is re-faulted page by page without the tuning
   * (10,240 faults per round) and, once warmed up, reused with it. Child JVMs without the GLIBC_TUNABLES the build
   * sets for tests; Java's main thread allocates from a thread arena, as ND4J's threads do.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  void freedLargeBuffersAreReusedInsteadOfFaultedInAgain() throws Exception {
    ChildJvm.Output tuned = runChild(Probe.class, "tune");
    ChildJvm.Output stock = runChild(Probe.class, "stock");
    assertTrue(tuned.text().contains("applied=true"), tuned.text());
    assertTrue(tuned.text().contains("mallopt calls 3"), "apply() twice calls mallopt once per setting: " + tuned.text());
    long tunedFaults = faults(tuned.resultLine());
    long stockFaults = faults(stock.resultLine());
    // 4 rounds after warm-up x 10,240 pages: stock faults them all in again, tuned (almost) none
    assertTrue(stockFaults > 30_000, "stock glibc should re-fault the block: " + stock.resultLine());
    assertTrue(tunedFaults < 2_000, "tuned glibc should reuse the block: " + tuned.resultLine());
  }

  /**
   * Freed 1 MiB blocks between blocks in use stay resident until, with the tuning, {@link
   * MallocTuning#releaseFreeMemory()} hands them back; without the tuning the call does nothing.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  void releaseFreeMemoryReturnsFreedBlocksToTheSystem() throws Exception {
    ChildJvm.Output tuned = runChild(ReleaseProbe.class, "tune");
    ChildJvm.Output stock = runChild(ReleaseProbe.class, "stock");
    String t = tuned.resultLine();
    assertTrue(t.contains("released=true"), t);
    long kept = keptKiB(t);
    long returned = Long.parseLong(t.replaceAll(".*returnedKiB=(-?\\d+).*", "$1"));
    assertTrue(kept > 30 << 10, "40 MiB touched, 20 MiB of it freed, all resident: " + t);
    assertTrue(returned > 15 << 10, "releaseFreeMemory should return the 20 MiB of holes: " + t);
    assertTrue(stock.resultLine().contains("released=false"), stock.resultLine());
  }

  /**
   * With the tuning, a freed 40 MiB block stays resident for reuse; with {@link
   * MallocTuning#mapLargeBlocks mapLargeBlocks(true)} it was mapped afresh and goes back when freed.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  void mappedLargeBlocksGoBackWhenFreed() throws Exception {
    String mapped = runChild(MapProbe.class, "mapped").resultLine();
    String heap = runChild(MapProbe.class, "heap").resultLine();
    assertTrue(mapped.contains("accepted=true"), mapped);
    assertTrue(keptKiB(mapped) < 4 << 10, "a mapped block should go back when freed: " + mapped);
    assertTrue(keptKiB(heap) > 30 << 10, "the tuned heap should keep the block for reuse: " + heap);
  }

  private static long keptKiB(String resultLine) {
    return Long.parseLong(resultLine.replaceAll(".*keptKiB=(-?\\d+).*", "$1"));
  }

  /** Runs {@code probe} in a child JVM without the GLIBC_TUNABLES the build sets for tests. */
  private static ChildJvm.Output runChild(Class<?> probe, String mode) throws Exception {
    ChildJvm.Output out = ChildJvm.run(ChildJvm.testClassPath(), null, Set.of(MallocAdvice.ENV), 60, probe, mode);
    assertEquals(0, out.exitCode(), out.text());
    return out;
  }

  private static long faults(String resultLine) {
    return Long.parseLong(resultLine.replaceAll(".*faults=(\\d+).*", "$1"));
  }

  /**
   * Child: optionally tunes, touches 40 blocks of 1 MiB and frees every other one, then releases
   * free memory; prints the resident memory the frees kept and the release returned.
   */
  public static final class ReleaseProbe {
    public static void main(String[] args) throws Exception {
      if (args[0].equals("tune")) {
        MallocTuning.apply();
      }
      long size = 1L << 20;
      residentKiB(); // loads classes first
      long before = residentKiB();
      long[] blocks = new long[40];
      for (int i = 0; i < blocks.length; i++) {
        blocks[i] = Native.malloc(size);
        new Pointer(blocks[i]).setMemory(0, size, (byte) 1);
      }
      for (int i = 0; i < blocks.length; i += 2) {
        Native.free(blocks[i]); // 20 holes of 1 MiB between blocks in use, as in training
      }
      long afterFree = residentKiB();
      boolean released = MallocTuning.releaseFreeMemory();
      long afterRelease = residentKiB();
      System.out.println("RESULT released=" + released + " keptKiB=" + (afterFree - before)
          + " returnedKiB=" + (afterFree - afterRelease));
      for (int i = 1; i < blocks.length; i += 2) {
        Native.free(blocks[i]);
      }
    }

    static long residentKiB() throws Exception {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
      throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
  }

  /** Child: tunes, maps large blocks or not, touches and frees a 40 MiB block; prints what stayed resident. */
  public static final class MapProbe {
    public static void main(String[] args) throws Exception {
      MallocTuning.apply();
      boolean accepted = MallocTuning.mapLargeBlocks(args[0].equals("mapped"));
      long size = 40L << 20;
      ReleaseProbe.residentKiB();
      long before = ReleaseProbe.residentKiB();
      long p = Native.malloc(size);
      new Pointer(p).setMemory(0, size, (byte) 1);
      Native.free(p);
      System.out.println("RESULT accepted=" + accepted + " keptKiB=" + (ReleaseProbe.residentKiB() - before));
    }
  }

  /** Child: optionally tunes, then frees and re-allocates a 40 MiB block, counting minor faults. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      if (args[0].equals("tune")) {
        System.out.println("outcome applied=" + MallocTuning.apply().applied() + " " + MallocTuning.apply().reason()
            + " mallopt calls " + MallocTuning.malloptCalls());
      }
      long size = 40L << 20;
      minorFaults(); // the first read of /proc loads classes and allocates: not in the rounds
      for (int i = 0; i < 2; i++) {
        touchAndFree(size); // warm-up: the first round faults in any case
      }
      StringBuilder rounds = new StringBuilder();
      long before = minorFaults();
      for (int i = 0; i < 4; i++) {
        long r = minorFaults();
        touchAndFree(size);
        rounds.append(' ').append(minorFaults() - r);
      }
      System.out.println("RESULT faults=" + (minorFaults() - before) + " per round:" + rounds);
    }

    private static void touchAndFree(long size) {
      long p = Native.malloc(size);
      if (p == 0) {
        throw new OutOfMemoryError("malloc(" + size + ")");
      }
      new Pointer(p).setMemory(0, size, (byte) 1);
      Native.free(p);
    }

    private static long minorFaults() throws Exception {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[7]); // field 10 (minflt), counted from field 3 (state)
    }
  }
}
