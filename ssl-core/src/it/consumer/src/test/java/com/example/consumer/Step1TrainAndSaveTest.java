package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Step1TrainAndSaveTest {
  @Test
  void trainsOwnTaskAndEncoderThenSaves() throws Exception {
    Files.createDirectories(ConsumerData.DIR);
    INDArray x = ConsumerData.examples();
    TwoLayerEncoder encoder = new TwoLayerEncoder(8, 16, 4);

    TrainingConfig config = TrainingConfig.builder(32).epochs(20).seed(7).build();
    TrainingResult result = new Trainer(config).fit(new MaskedFeatureTask(), encoder, new ArraySource(x));

    double first = result.history().get(0).loss();
    double last = result.history().get(result.history().size() - 1).loss();
    assertTrue(last < 0.5 * first, "loss should fall: first " + first + ", last " + last);

    PretrainedEncoder pretrained = result.pretrainedEncoder();
    INDArray embeddings = pretrained.embed(x);
    assertArrayEquals(new long[] {256, 4}, embeddings.shape());
    assertEquals(MaskedFeatureTask.ID, pretrained.metadata().taskId());

    pretrained.save(ConsumerData.MODEL);
    Nd4j.saveBinary(embeddings, ConsumerData.EMBEDDINGS.toFile());
    Files.writeString(ConsumerData.PID, Long.toString(ProcessHandle.current().pid()));
  }
}
