package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.ssl4j.core.PretrainedEncoder;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Step2LoadInFreshJvmTest {
  @Test
  void loadsInAnotherJvmAndEmbedsIdentically() throws Exception {
    long trainingPid = Long.parseLong(Files.readString(ConsumerData.PID).trim());
    assertNotEquals(trainingPid, ProcessHandle.current().pid(), "step 2 must run in a fresh JVM");

    PretrainedEncoder loaded = PretrainedEncoder.load(ConsumerData.MODEL);
    assertEquals(MaskedFeatureTask.ID, loaded.metadata().taskId());
    assertEquals(7L, loaded.metadata().seed());
    assertEquals(4, loaded.metadata().representationSize());

    INDArray expected = Nd4j.readBinary(ConsumerData.EMBEDDINGS.toFile());
    INDArray actual = loaded.embed(ConsumerData.examples());
    assertEquals(expected, actual, "embeddings after load must equal those before save");
  }
}
