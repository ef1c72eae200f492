package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.junit.jupiter.api.Test;

/**
 * Documents DL4J 1.0.0-M2.1 bug B4. If a test here fails after a DL4J upgrade, the bug changed:
 * re-check whether {@code org.nd4j.nativeblas.Nd4jCpu} (our forwarding class) and the property
 * defaults in {@link Dl4jSetup} are still needed.
 */
class OneDnnRegressionTest {
  private static final String OLD = "org/nd4j/nativeblas/Nd4jCpu$Environment.class";

  @Test
  void dl4jStillLooksUpTheOldClassName() throws Exception {
    String bytes;
    try (InputStream in = BaseMKLDNNHelper.class.getResourceAsStream("BaseMKLDNNHelper.class")) {
      assertNotNull(in);
      bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    assertTrue(bytes.contains("org.nd4j.nativeblas.Nd4jCpu$Environment") && bytes.contains("isUseMKLDNN"),
        "DL4J's BaseMKLDNNHelper no longer looks up org.nd4j.nativeblas.Nd4jCpu$Environment.isUseMKLDNN: "
            + "the forwarding class org.nd4j.nativeblas.Nd4jCpu in ssl-core may be obsolete");
  }

  @Test
  void oldClassNameExistsOnlyAsOurForwardingClass() throws Exception {
    List<URL> urls = Collections.list(getClass().getClassLoader().getResources(OLD));
    assertEquals(1, urls.size(), "expected only ssl4j's forwarding class, found " + urls);
    assertTrue(urls.get(0).toString().contains("ssl-core") || urls.get(0).getProtocol().equals("file"),
        "old class name should come from ssl-core, found " + urls.get(0));
    assertNotNull(getClass().getClassLoader().getResource(
        "org/nd4j/linalg/cpu/nativecpu/bindings/Nd4jCpu$Environment.class"),
        "ND4J's Environment moved again: update the forwarding class");
  }

  @Test
  void withTheForwardingClassDl4jsCheckPasses() {
    Dl4jSetup.ensureConfigured();
    // Forwarding class and the real environment agree, and DL4J's reflective check now succeeds.
    boolean real = Dl4jSetup.useOneDnn();
    assertTrue(real, "test classpath should load the -onednn natives");
    assertEquals(real, org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN());
    assertTrue(BaseMKLDNNHelper.mklDnnEnabled());
  }

  @Test
  void dl4jStillDisablesHelpersByDefault() throws Exception {
    // Read reflectively: the compiler would inline the constant.
    Object def = DL4JSystemProperties.class.getField("HELPER_DISABLE_DEFAULT_VALUE").get(null);
    assertEquals("true", def, "DL4J now enables layer helpers by default: Dl4jSetup's default may be obsolete");
    assertEquals(Dl4jSetup.HELPERS_DISABLE_PROPERTY,
        DL4JSystemProperties.class.getField("DISABLE_HELPER_PROPERTY").get(null));
  }
}
