package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.junit.jupiter.api.Test;

/**
 * Documents DL4J 1.0.0-M2.1 bug B4 (docs/development/dl4j-workarounds.md): DL4J's own oneDNN helpers are off
 * by default and, when switched on, dropped by a broken availability check. If a test here fails
 * after a DL4J upgrade, the bug changed: re-check whether {@link LayerHelpers} still has to set the
 * helpers itself.
 */
class OneDnnRegressionTest {

  @Test
  void dl4jStillLooksUpTheOldClassName() throws Exception {
    String bytes;
    try (InputStream in = BaseMKLDNNHelper.class.getResourceAsStream("BaseMKLDNNHelper.class")) {
      assertNotNull(in);
      bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    assertTrue(bytes.contains("org.nd4j.nativeblas.Nd4jCpu$Environment") && bytes.contains("isUseMKLDNN"),
        "DL4J's BaseMKLDNNHelper no longer looks up org.nd4j.nativeblas.Nd4jCpu$Environment.isUseMKLDNN:"
            + " its availability check may work now, and LayerHelpers could let DL4J create its helpers");
  }

  @Test
  void theOldClassNameIsNotOnTheClassPathAndTheNewOneIs() {
    ClassLoader cl = getClass().getClassLoader();
    assertNull(cl.getResource("org/nd4j/nativeblas/Nd4jCpu$Environment.class"),
        "something on the class path provides the class DL4J looks up: ssl4j ships no such shim");
    assertNotNull(cl.getResource("org/nd4j/linalg/cpu/nativecpu/bindings/Nd4jCpu$Environment.class"),
        "ND4J's Environment moved again");
  }

  @Test
  void dl4jsAvailabilityCheckFailsEvenWithOneDnnLoaded() {
    assertTrue(LayerHelpers.oneDnnAvailable(), "test class path should load the -onednn natives");
    assertFalse(BaseMKLDNNHelper.mklDnnEnabled(),
        "DL4J's oneDNN check passes now: LayerHelpers could let DL4J create its helpers");
  }

  @Test
  void dl4jStillDisablesHelpersByDefault() throws Exception {
    // Read reflectively: the compiler would inline the constant.
    Object def = DL4JSystemProperties.class.getField("HELPER_DISABLE_DEFAULT_VALUE").get(null);
    assertEquals("true", def, "DL4J now enables layer helpers by default: LayerHelpers may be obsolete");
    assertEquals(LayerHelpers.DL4J_HELPERS_DISABLE_PROPERTY,
        DL4JSystemProperties.class.getField("DISABLE_HELPER_PROPERTY").get(null));
  }
}
