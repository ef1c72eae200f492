package io.github.ssl4j.core.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ReLU, {@code max(x, 0)}, with a vectorised backward pass: the same values as ND4J's {@code
 * ActivationReLU} (derivative 1 for x &gt; 0, else 0), computed as a step mask multiplied by the
 * incoming gradient in place. ND4J 1.0.0-M2.1's {@code relu_bp} calls a {@code std::function}
 * per element and writes a fresh array; this one works in place with vectorised ops. Use it where DL4J takes an {@code IActivation}, e.g. {@code new
 * ActivationLayer.Builder().activation(new ReluActivation())}.
 */
public class ReluActivation extends BaseActivationFunction {
  private static final long serialVersionUID = 1L;

  @Override
  public INDArray getActivation(INDArray in, boolean training) {
    Nd4j.getExecutioner().exec(new RectifiedLinear(in, in));
    return in;
  }

  /** Overwrites {@code in} with the gradient with respect to it and returns it. */
  @Override
  public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
    assertShape(in, epsilon);
    Nd4j.getExecutioner().exec(new Step(in, in, 0.0));
    return new Pair<>(in.muli(epsilon), null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReluActivation;
  }

  @Override
  public int hashCode() {
    return ReluActivation.class.hashCode();
  }

  @Override
  public String toString() {
    return "relu";
  }
}
