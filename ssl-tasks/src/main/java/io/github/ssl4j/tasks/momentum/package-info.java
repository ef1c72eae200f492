/**
 * Pieces shared by the methods with a teacher network (BYOL, DINO; usable by SimSiam-like
 * methods): {@link io.github.ssl4j.tasks.momentum.MlpHead}, a named MLP head with optional batch
 * normalisation, and {@link io.github.ssl4j.tasks.momentum.CrossView}, the other-view targets.
 */
package io.github.ssl4j.tasks.momentum;
