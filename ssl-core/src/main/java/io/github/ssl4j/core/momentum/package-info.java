/**
 * Building blocks for methods with a second, gradient-free network: {@link
 * io.github.ssl4j.core.momentum.EmaTeacher} (an EMA copy of the online graph) and {@link
 * io.github.ssl4j.core.momentum.MomentumSchedule}. The hooks that drive them are {@link
 * io.github.ssl4j.core.StatefulPretextTask} and {@link io.github.ssl4j.core.MethodState}.
 */
package io.github.ssl4j.core.momentum;
