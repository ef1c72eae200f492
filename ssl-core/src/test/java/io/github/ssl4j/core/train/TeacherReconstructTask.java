package io.github.ssl4j.core.train;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.MethodState;
import io.github.ssl4j.core.StatefulPretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.momentum.EmaTeacher;
import io.github.ssl4j.core.momentum.MomentumSchedule;
import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test task with method state: {@link ReconstructTask}'s graph, whose targets are the mean of the
 * clean examples and an EMA teacher's reconstruction, plus a running sum of the teacher's outputs
 * (state that only the arrays carry across a resume).
 */
record TeacherReconstructTask(double noise) implements StatefulPretextTask {
  @Override
  public String id() {
    return "test-teacher-reconstruct";
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    new ReconstructTask(noise).buildGraph(graph, encoder);
  }

  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    return new ReconstructTask(noise).prepare(examples, rng);
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("noise", noise);
  }

  @Override
  public MethodState createState(ComputationGraph online, long seed) {
    EmaTeacher teacher = EmaTeacher.copyOf(online);
    INDArray running = Nd4j.rand(online.params().dataType(), 1, 8).muli(seed % 7);
    MomentumSchedule momentum = MomentumSchedule.cosine(0.9);
    return new MethodState() {
      @Override
      public MultiDataSet beforeStep(MultiDataSet batch, long step, long totalSteps) {
        INDArray target = teacher.activations(VertexNames.loss("recon"), true, batch.getFeatures(0));
        INDArray labels = batch.getLabels(0).add(target).muli(0.5).addiRowVector(running.mul(0.01));
        return new org.nd4j.linalg.dataset.MultiDataSet(batch.getFeatures(0), labels);
      }

      @Override
      public void afterStep(long step, long totalSteps) {
        teacher.update(momentum.at(step, totalSteps));
        running.muli(0.5).addi(teacher.params().get(
            org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8)));
      }

      @Override
      public Map<String, INDArray> arrays() {
        return Map.of("teacher", teacher.params(), "running", running);
      }

      @Override
      public void restore(Map<String, INDArray> arrays) {
        for (String name : arrays().keySet()) {
          INDArray a = arrays.get(name);
          INDArray mine = arrays().get(name);
          if (a == null || !Arrays.equals(a.shape(), mine.shape()) || a.dataType() != mine.dataType()) {
            throw new IllegalArgumentException("array '" + name + "' missing or of the wrong shape");
          }
          mine.assign(a);
        }
      }
    };
  }
}
