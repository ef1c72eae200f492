package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MallocAdviceTest {
  private static final String MADVISE = "always [madvise] never\n";

  @Test
  void linuxWithMadviseTHPAndNoTunableGetsTheFix() {
    String a = MallocAdvice.advise("Linux", Map.of(), MADVISE).orElseThrow();
    assertTrue(a.contains("GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), a);
  }

  @Test
  void otherTunablesAreKept() {
    String a = MallocAdvice.advise("Linux", Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2"), MADVISE)
        .orElseThrow();
    assertTrue(a.contains("GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"), a);
  }

  @Test
  void nothingToSayWhenDoneNotLinuxOrThpNotMadvise() {
    assertEquals(Optional.empty(),
        MallocAdvice.advise("Linux", Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), MADVISE));
    assertEquals(Optional.empty(), MallocAdvice.advise("Mac OS X", Map.of(), MADVISE));
    assertEquals(Optional.empty(), MallocAdvice.advise("Linux", Map.of(), "[always] madvise never"));
    assertEquals(Optional.empty(), MallocAdvice.advise("Linux", Map.of(), "always madvise [never]"));
    assertEquals(Optional.empty(), MallocAdvice.advise("Linux", Map.of(), null));
  }
}
