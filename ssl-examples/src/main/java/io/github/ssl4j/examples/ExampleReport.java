package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.train.LossRecord;
import io.github.ssl4j.core.train.TrainingResult;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * What an example reports, and where: wall-clock seconds per phase, the pretraining summary with
 * its loss history and loss curve, summary lines, {@code results.json} and the printed summary,
 * all in one output directory.
 *
 * <pre>{@code
 * ExampleReport report = ExampleReport.start(out, "images");
 * ...load...                                  report.lap("load");
 * TrainingResult trained = trainer.fit(...);  Pretraining p = report.pretraining(trained, batch, "loss");
 * report.line("kNN %.2f %%", 100 * knn);
 * return report.finish("SimCLR on Fashion-MNIST", new Result(p, knn, report.seconds()));
 * }</pre>
 */
final class ExampleReport {
  private final Path out;
  private final String unit;
  private final long start = System.nanoTime();
  private long lapStart = start;
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private final List<String> lines = new ArrayList<>();

  /**
   * How pretraining went.
   *
   * @param epochs complete epochs
   * @param batch training examples per step
   * @param steps optimiser steps
   * @param firstLoss loss of the first step
   * @param finalLoss loss of the last step
   * @param examplesPerSecond training throughput (images, windows or sequences per second)
   */
  record Pretraining(int epochs, int batch, long steps, double firstLoss, double finalLoss, double examplesPerSecond) {}

  private ExampleReport(Path out, String unit) {
    this.out = out;
    this.unit = unit;
  }

  /**
   * Starts the clock.
   *
   * @param out the output directory (created by {@link ExampleOptions.Training#config()})
   * @param unit what one training example is, plural ("images", "windows", "sequences")
   */
  static ExampleReport start(Path out, String unit) {
    return new ExampleReport(out, unit);
  }

  /** "{@code method} on Fashion-MNIST (n train / m test images[, bundled sample])". */
  static String title(String method, FashionMnist data) {
    return String.format("%s on Fashion-MNIST (%d train / %d test images%s)", method, data.train().size(),
        data.test().size(), data.isSample() ? ", bundled sample" : "");
  }

  /** Records the seconds since the previous lap (or the start) as {@code phase}, and returns them. */
  double lap(String phase) {
    long now = System.nanoTime();
    double s = (now - lapStart) / 1e9;
    seconds.merge(phase, s, Double::sum);
    lapStart = now;
    return s;
  }

  /** The laps so far and {@code total}, the seconds since the start, in order. */
  Map<String, Double> seconds() {
    Map<String, Double> all = new LinkedHashMap<>(seconds);
    all.put("total", (System.nanoTime() - start) / 1e9);
    return Collections.unmodifiableMap(all);
  }

  /** A file in the output directory. */
  Path file(String name) {
    return out.resolve(name);
  }

  /**
   * Ends the {@code pretrain} lap, writes the loss history ({@code loss-history.csv/json}) and
   * {@code loss-curve.png}, and adds the pretraining line to the summary.
   *
   * @param lossTitle the loss curve's title: what the loss is
   */
  Pretraining pretraining(TrainingResult trained, int batch, String lossTitle) {
    lap("pretrain");
    trained.writeHistory(out);
    writeLossCurve(trained.history(), lossTitle, file("loss-curve.png"));
    Pretraining p = new Pretraining(trained.epochs(), batch, trained.steps(),
        trained.history().get(0).loss(), trained.finalLoss(), trained.samplesPerSecond());
    String loss = Math.abs(p.firstLoss()) >= 100 ? "%.1f" : "%.4f";
    line("pretraining: %d epochs, %d steps of %d %s, loss " + loss + " -> " + loss + ", %.1f %s/s",
        p.epochs(), p.steps(), p.batch(), unit, p.firstLoss(), p.finalLoss(), p.examplesPerSecond(), unit);
    return p;
  }

  /** Adds a line to the printed summary ({@link String#format} in {@link Locale#ROOT}). */
  void line(String format, Object... args) {
    lines.add(String.format(Locale.ROOT, format, args));
  }

  /** Adds a table row: a label and two percentages (fractions in [0, 1] shown as %). */
  void row(String label, double pretrained, double other) {
    line("%-30s %8.2f %%   %8.2f %%", label, 100 * pretrained, 100 * other);
  }

  /**
   * Writes {@code result} as {@code results.json} and prints the summary: the title, the lines
   * added, the seconds per phase and the files in the output directory.
   *
   * @return {@code result}
   * @throws UncheckedIOException if {@code results.json} cannot be written or the directory listed
   */
  <R> R finish(String title, R result) {
    Path json = file("results.json");
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), result);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + json + ": " + e.getMessage(), e);
    }
    StringBuilder s = new StringBuilder(String.format("%n%s%n", title));
    lines.forEach(l -> s.append("  ").append(l).append(System.lineSeparator()));
    StringBuilder secs = new StringBuilder();
    seconds().forEach((phase, v) -> secs.append(secs.isEmpty() ? "" : ", ").append(phase)
        .append(String.format(Locale.ROOT, " %.1f", v)));
    s.append("  seconds: ").append(secs).append(System.lineSeparator());
    try (var files = Files.list(out)) {
      s.append("  written to ").append(out).append(": ")
          .append(String.join(", ", files.map(f -> f.getFileName() + (Files.isDirectory(f) ? "/" : "")).sorted().toList()))
          .append(System.lineSeparator());
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + out + ": " + e.getMessage(), e);
    }
    System.out.print(s);
    return result;
  }

  /** Per-step loss and (from 20 steps on) its trailing moving average against the step, as a PNG. */
  private static void writeLossCurve(List<LossRecord> history, String title, Path png) {
    System.setProperty("java.awt.headless", "true");
    int n = history.size();
    double[] step = new double[n];
    double[] loss = new double[n];
    double[] smooth = new double[n];
    int window = Math.max(1, Math.min(50, n / 10)); // 1: too few steps to smooth
    double sum = 0;
    for (int i = 0; i < n; i++) {
      step[i] = history.get(i).step();
      loss[i] = history.get(i).loss();
      sum += loss[i];
      if (i >= window) {
        sum -= loss[i - window];
      }
      smooth[i] = sum / Math.min(i + 1, window);
    }
    XYChart chart =
        new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step").yAxisTitle("loss").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setMarkerSize(0);
    XYSeries raw = chart.addSeries("loss per step", step, loss);
    raw.setMarker(SeriesMarkers.NONE);
    raw.setLineColor(new Color(150, 180, 220));
    if (window > 1) {
      XYSeries avg = chart.addSeries("moving average (" + window + " steps)", step, smooth);
      avg.setMarker(SeriesMarkers.NONE);
      avg.setLineColor(new Color(200, 40, 40));
    }
    try {
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + png + ": " + e.getMessage(), e);
    }
  }
}
