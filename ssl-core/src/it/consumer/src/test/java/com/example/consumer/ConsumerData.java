package com.example.consumer;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.nd4j.linalg.api.buffer.DataType;
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
    INDArray centres = Nd4j.rand(DataType.FLOAT, new long[] {4, 8}, Nd4j.getRandomFactory().getNewRandomInstance(11));
    INDArray noise = Nd4j.randn(DataType.FLOAT, new long[] {256, 8}, Nd4j.getRandomFactory().getNewRandomInstance(12)).muli(0.05);
    INDArray x = Nd4j.create(DataType.FLOAT, 256, 8);
    for (int i = 0; i < 256; i++) {
      x.putRow(i, centres.getRow(i % 4).add(noise.getRow(i)));
    }
    return x;
  }
}
