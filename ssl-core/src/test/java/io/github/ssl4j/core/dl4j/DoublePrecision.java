package io.github.ssl4j.core.dl4j;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * JUnit extension: ND4J's default data types are DOUBLE for the whole test class (gradient checks
 * need it) and restored afterwards. Runs before the class's own {@code @BeforeAll} methods.
 */
public final class DoublePrecision implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DoublePrecision.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("old", Nd4j.defaultFloatingPointType());
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    DataType old = context.getStore(NS).get("old", DataType.class);
    Nd4j.setDefaultDataTypes(old, old);
  }
}
