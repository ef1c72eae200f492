package io.github.ssl4j.tasks.masked;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shared assertions for mask generators. */
final class MaskChecks {
  private MaskChecks() {}

  /**
   * Checks shape [b, 1, h, w], FLOAT, values in {0, 1} and constant over each patch; returns the
   * patch grid per image, [b][gridH * gridW] row-major, 1 = masked.
   */
  static int[][] patchGrid(INDArray mask, int batch, int height, int width, int patch) {
    assertArrayEquals(new long[] {batch, 1, height, width}, mask.shape());
    assertEquals(DataType.FLOAT, mask.dataType());
    float[] v = mask.dup('c').data().asFloat();
    int gh = height / patch;
    int gw = width / patch;
    int[][] grid = new int[batch][gh * gw];
    for (int i = 0; i < batch; i++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float f = v[(i * height + y) * width + x];
          assertTrue(f == 0f || f == 1f, "value " + f + " at " + i + "," + y + "," + x);
          int p = (y / patch) * gw + x / patch;
          if (y % patch == 0 && x % patch == 0) {
            grid[i][p] = (int) f;
          } else {
            assertEquals(grid[i][p], (int) f, "mask not constant over patch " + p + " of image "
                + i + " at pixel " + y + "," + x);
          }
        }
      }
    }
    return grid;
  }

  static int count(int[] grid) {
    int c = 0;
    for (int g : grid) {
      c += g;
    }
    return c;
  }

  /** Number of horizontally or vertically adjacent pairs of masked patches. */
  static int neighbourPairs(int[] grid, int gh, int gw) {
    int pairs = 0;
    for (int y = 0; y < gh; y++) {
      for (int x = 0; x < gw; x++) {
        if (grid[y * gw + x] == 1) {
          if (x + 1 < gw && grid[y * gw + x + 1] == 1) {
            pairs++;
          }
          if (y + 1 < gh && grid[(y + 1) * gw + x] == 1) {
            pairs++;
          }
        }
      }
    }
    return pairs;
  }

  /** Asserts an IllegalArgumentException whose message contains every fragment. */
  static void assertRejected(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message should mention '" + f + "': "
          + e.getMessage());
    }
  }
}
