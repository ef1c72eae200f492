/**
 * Contrastive Predictive Coding on clips: {@link io.github.ssl4j.tasks.cpc.CpcTask} (per-frame
 * encoder, LSTM context, linear k-step-ahead predictions of latent codes) and its loss {@link
 * io.github.ssl4j.tasks.cpc.CpcLoss} (InfoNCE against the codes of every clip and time step in the
 * batch).
 *
 * <pre>{@code
 * TrainingResult r = new Trainer(config).fit(CpcTask.defaults(), FrameEncoder.small(64, 64, 1), clips);
 * }</pre>
 */
package io.github.ssl4j.tasks.cpc;
