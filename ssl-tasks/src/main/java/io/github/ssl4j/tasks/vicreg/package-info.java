/**
 * VICReg (Bardes, Ponce, LeCun 2022): {@link io.github.ssl4j.tasks.vicreg.VicRegTask} and its
 * invariance, variance and covariance loss {@link io.github.ssl4j.tasks.vicreg.VicRegLoss}.
 */
package io.github.ssl4j.tasks.vicreg;
