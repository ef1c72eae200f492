package com.example.consumer;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Data and file locations shared by the two steps (each runs in its own JVM). */
final class ConsumerData {
  static final Path DIR = Paths.get("target", "consumer-run");
  static final Path MODEL = DIR.resolve("encoder.zip");
  static final Path EMBEDDINGS = DIR.resolve("embeddings.bin");
  static final Path PID = DIR.resolve("pid.txt");

  private ConsumerData() {}

  /** Four clusters in 8 dimensions; deterministic. */
  static INDArray examples() {
    java.util.Random random = new java.util.Random(11);
    float[][] centres = new float[4][8];
    for (float[] c : centres) {
      for (int j = 0; j < c.length; j++) {
        c[j] = random.nextFloat();
      }
    }
    float[][] x = new float[256][8];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 8; j++) {
        x[i][j] = centres[i % 4][j] + 0.05f * (float) random.nextGaussian();
      }
    }
    return Nd4j.createFromArray(x);
  }
}
