/**
 * Barlow Twins (Zbontar et al. 2021): {@link io.github.ssl4j.tasks.barlowtwins.BarlowTwinsTask}
 * and its cross-correlation loss {@link io.github.ssl4j.tasks.barlowtwins.BarlowTwinsLoss}.
 */
package io.github.ssl4j.tasks.barlowtwins;
