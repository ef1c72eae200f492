package io.github.ssl4j.core.momentum;

import io.github.ssl4j.core.dl4j.LayerHelpers;
import io.github.ssl4j.core.dl4j.VertexActivations;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A second network that follows an online graph by exponential moving average instead of by
 * gradients: BYOL's target network, MoCo's momentum (key) encoder, DINO's teacher.
 *
 * <p>The teacher is a graph of the online graph's configuration whose parameters start as a copy of
 * the online parameters. {@link #update(double)} sets {@code teacher = m * teacher + (1 - m) *
 * online} over the whole flattened parameter vector, in place with two native passes ({@code
 * scal} then {@code axpy}) and no temporary array. The flattened vector includes batch
 * normalisation's running mean and variance, which DL4J stores as parameters; they are averaged
 * like the weights. Vertices the teacher never evaluates (a predictor, the loss layer) are averaged
 * too and stay unused.
 *
 * <pre>{@code
 * EmaTeacher target = EmaTeacher.copyOf(online);
 * INDArray z = target.activations("head/proj2", true, views); // [rows, d], no gradients
 * // after each optimiser step of online:
 * target.update(0.996);
 * }</pre>
 */
public final class EmaTeacher {
  private final ComputationGraph online;
  private final ComputationGraph teacher;

  private EmaTeacher(ComputationGraph online, ComputationGraph teacher) {
    this.online = online;
    this.teacher = teacher;
  }

  /**
   * A teacher of {@code online}'s configuration with a copy of its current parameters (no updater
   * state: the teacher is never fitted).
   *
   * @param online an initialised graph
   */
  public static EmaTeacher copyOf(ComputationGraph online) {
    Objects.requireNonNull(online, "online");
    ComputationGraph teacher = new ComputationGraph(online.getConfiguration().clone());
    teacher.init(online.params().dup(), false);
    LayerHelpers.install(teacher);
    return new EmaTeacher(online, teacher);
  }

  /** The teacher graph (its parameters are the live EMA state). */
  public ComputationGraph graph() {
    return teacher;
  }

  /** The teacher's flattened parameters, shape [1, numParams], a live view. */
  public INDArray params() {
    return teacher.params();
  }

  /**
   * One EMA step: {@code teacher = momentum * teacher + (1 - momentum) * online}, in place.
   *
   * @param momentum in [0, 1]; 1 leaves the teacher unchanged, 0 copies the online parameters
   * @throws IllegalArgumentException if momentum is outside [0, 1]
   */
  public void update(double momentum) {
    update(teacher.params(), online.params(), momentum);
  }

  /**
   * {@code target = momentum * target + (1 - momentum) * source}, in place, as two native passes
   * without temporaries.
   *
   * @param target updated in place; same length and data type as {@code source}
   * @param source read only
   * @param momentum in [0, 1]
   * @throws IllegalArgumentException if the lengths or data types differ or momentum is outside
   *     [0, 1]
   */
  public static void update(INDArray target, INDArray source, double momentum) {
    java.util.Objects.requireNonNull(target, "target");
    java.util.Objects.requireNonNull(source, "source");
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException(
          "EMA momentum must be in [0, 1], got " + momentum + "; BYOL starts at 0.996, MoCo uses 0.99-0.999");
    }
    if (target.length() != source.length() || target.dataType() != source.dataType()) {
      throw new IllegalArgumentException(
          "EMA target and source must have the same length and data type, got "
              + Arrays.toString(target.shape()) + " " + target.dataType() + " and "
              + Arrays.toString(source.shape()) + " " + source.dataType()
              + "; the teacher must be a copy of the online graph's configuration");
    }
    if (momentum == 1) {
      return;
    }
    target.muli(momentum);
    Nd4j.getBlasWrapper().level1().axpy(target.length(), 1 - momentum, source, target);
  }

  /**
   * The teacher's activations of {@code vertex} for {@code inputs}, outside any workspace, without
   * gradients; the forward pass's other activations are freed before this returns
   * ({@link VertexActivations}).
   *
   * @param vertex a vertex of the graph, e.g. the projection head's output
   * @param train whether layers run in training mode (batch normalisation with batch statistics,
   *     as BYOL's target and MoCo's key encoder do); the teacher's parameters are not changed
   * @param inputs one array per graph input
   * @throws IllegalArgumentException if the graph has no such vertex
   */
  public INDArray activations(String vertex, boolean train, INDArray... inputs) {
    return VertexActivations.of(teacher, vertex, train, inputs);
  }
}
