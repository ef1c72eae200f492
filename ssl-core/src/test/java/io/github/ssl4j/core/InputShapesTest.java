package io.github.ssl4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class InputShapesTest {
  @Test
  void matchingShapesPass() {
    assertDoesNotThrow(() -> InputShapes.check(InputType.feedForward(4), Nd4j.zeros(DataType.FLOAT, 3, 4), "input"));
    assertDoesNotThrow(() -> InputShapes.check(InputType.convolutional(28, 28, 1),
        Nd4j.zeros(DataType.FLOAT, 2, 1, 28, 28), "input"));
    assertDoesNotThrow(() -> InputShapes.check(InputType.recurrent(5), Nd4j.zeros(DataType.FLOAT, 2, 5, 9), "tokens"));
    assertArrayEquals(new long[] {-1, 5, 7}, InputShapes.expectedShape(InputType.recurrent(5, 7)));
  }

  @Test
  void mismatchNamesVertexBothShapesAndFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> InputShapes.check(InputType.convolutional(28, 28, 1), Nd4j.zeros(DataType.FLOAT, 2, 784), "input"));
    assertTrue(e.getMessage().contains("'input'"), e.getMessage());
    assertTrue(e.getMessage().contains("[batch, 1, 28, 28]"), e.getMessage());
    assertTrue(e.getMessage().contains("[2, 784]"), e.getMessage());
    assertTrue(e.getMessage().contains("reshape"), e.getMessage());
  }
}
