package io.github.ssl4j.core.train;

import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Child JVM of {@link KillAndResumeTest}: trains a tiny MLP with a checkpoint after every step into
 * {@code args[0]} until step {@code args[1]}, resuming from the directory when it holds a
 * checkpoint. Prints "READY" once ND4J is loaded and training is about to start, "STEP s" when step s
 * has updated the parameters (its checkpoint is written next) and "RESULT done <steps>" at the end.
 */
public final class KillAndResumeChild {
  private KillAndResumeChild() {}

  static TrainingConfig config(Path dir, long steps) {
    return TrainingConfig.builder(6).maxSteps(steps).dataType(DataType.FLOAT).updater(new Adam(1e-2))
        .checkpointDir(dir).checkpointEverySteps(1).keepLastCheckpoints(2)
        .progressBar(false).logEverySteps(0).prefetchDepth(1).listeners(new BaseTrainingListener() {
          @Override
          public void iterationDone(Model model, int iteration, int epoch) {
            System.out.println("STEP " + (iteration + 1)); // before that step's checkpoint is written
            System.out.flush();
          }
        }).build();
  }

  static ExampleSource data() {
    Random r = new Random(7);
    float[] v = new float[64 * 8];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return new ArraySource(Nd4j.create(v, new long[] {64, 8}, DataType.FLOAT));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long steps = Long.parseLong(args[1]);
    ExampleSource data = data();
    Trainer trainer = new Trainer(config(dir, steps));
    boolean resume = !Checkpoints.list(dir).isEmpty();
    System.out.println("READY " + (resume ? "resume" : "fit"));
    System.out.flush();
    TrainingResult r = resume
        ? trainer.resume(dir, new ReconstructTask(0.1), new TinyMlpEncoder(8, 16, 6), data)
        : trainer.fit(new ReconstructTask(0.1), new TinyMlpEncoder(8, 16, 6), data);
    System.out.println("RESULT done " + r.steps());
  }
}
