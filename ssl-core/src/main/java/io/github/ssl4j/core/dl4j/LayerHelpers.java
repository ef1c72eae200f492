package io.github.ssl4j.core.dl4j;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swaps DL4J layer helpers for ssl4j's faster ones on an initialised graph: every batch-norm layer
 * that DL4J gave its stock oneDNN helper gets a {@link FastStatsBatchNormHelper}. Layers without a
 * helper (double precision, helpers disabled, no oneDNN) are left alone. Called by the trainer and
 * the fine-tune adapter; harmless to call twice. {@code -Dssl4j.layerHelpers=stock} turns it off.
 */
public final class LayerHelpers {
  private static final Logger log = LoggerFactory.getLogger(LayerHelpers.class);
  private static final Field BN_HELPER = field(BatchNormalization.class, "helper");

  /** System property: set to {@code "stock"} to keep DL4J's own helpers (for comparisons). */
  public static final String PROPERTY = "ssl4j.layerHelpers";

  private LayerHelpers() {}

  /** @return the number of layers whose helper was replaced */
  public static int install(ComputationGraph graph) {
    if (BN_HELPER == null || "stock".equals(System.getProperty(PROPERTY))) {
      return 0;
    }
    int replaced = 0;
    for (Layer layer : graph.getLayers()) {
      if (layer instanceof BatchNormalization bn) {
        try {
          if (BN_HELPER.get(bn) instanceof MKLDNNBatchNormHelper) {
            BN_HELPER.set(bn, new FastStatsBatchNormHelper());
            replaced++;
          }
        } catch (IllegalAccessException e) {
          log.debug("Could not replace the batch-norm helper of {}: {}", bn.getConfig().getLayerName(), e.toString());
        }
      }
    }
    return replaced;
  }

  private static Field field(Class<?> type, String name) {
    try {
      Field f = type.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another DL4J version: keep its own helper
      log.debug("DL4J's BatchNormalization has no accessible field '{}': {}", name, e.toString());
      return null;
    }
  }
}
