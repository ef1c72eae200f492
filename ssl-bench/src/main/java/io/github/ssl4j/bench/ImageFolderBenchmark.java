package io.github.ssl4j.bench;

import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.data.IdxReader;
import io.github.ssl4j.core.data.ImageFolderSource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.train.LossRecord;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Pretraining from an image folder against the same images as an in-memory IDX array, and the
 * decoders' speed.
 *
 * <p>{@code --mode train}: SimCLR ({@code ContrastiveTask.simclr()}, {@code ConvEncoder.small(28, 28,
 * 1)}) for {@code --steps} steps from the IDX file and from a flat PNG folder of the same images in
 * the same order ({@code ssl-examples/scripts/fashion-mnist-to-png.py --flat}), interleaved over
 * {@code --rounds} rounds (the order alternates); prints each run's samples/s, data-wait share and
 * the largest loss difference, then the medians.
 *
 * <p>{@code --mode decode}: writes {@code --images} synthetic RGB JPEGs (200-500 px a side) into
 * {@code --folder}, then times per-image decoding with the JDK's JPEG reader, with TwelveMonkeys'
 * reader, and ImageFolderSource's whole path (decode + resize + crop to 64x64) with 1 and 2
 * threads, interleaved over rounds.
 *
 * <pre>
 * mvn -B -q -pl ssl-bench -am package -DskipTests exec:java -Dssl4j.examples.exec.skip=true \
 *   -Dexec.mainClass=io.github.ssl4j.bench.ImageFolderBenchmark \
 *   -Dexec.args="--mode train --idx /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz --folder /tmp/fm/flat"
 * </pre>
 */
@Command(name = "ImageFolderBenchmark", mixinStandardHelpOptions = true,
    description = "Image folder vs IDX pretraining (losses, throughput, data wait) and decoder speed.")
public final class ImageFolderBenchmark implements Callable<Integer> {
  @Option(names = "--mode", defaultValue = "train", description = "train or decode")
  String mode;

  @Option(names = "--idx", description = "IDX image file (train mode)")
  Path idx;

  @Option(names = "--folder", required = true, description = "Flat PNG folder of the IDX images (train), or where to write JPEGs (decode)")
  Path folder;

  @Option(names = "--steps", defaultValue = "60")
  int steps;

  @Option(names = "--rounds", defaultValue = "5")
  int rounds;

  @Option(names = "--batch", defaultValue = "256")
  int batch;

  @Option(names = "--threads", defaultValue = "2", description = "decoding threads of the folder source")
  int threads;

  @Option(names = "--images", defaultValue = "2000", description = "JPEGs to write and decode (decode mode)")
  int images;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ImageFolderBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    return "decode".equals(mode) ? decode() : train();
  }

  private record Run(String source, double samplesPerSecond, double dataWait, List<LossRecord> history) {}

  private Run run(String name, ExampleSource source) {
    TrainingConfig config = TrainingConfig.builder(batch).maxSteps(steps).seed(42).progressBar(false)
        .logEverySteps(0).build();
    TrainingResult r = new Trainer(config).fit(ContrastiveTask.simclr(), ConvEncoder.small(28, 28, 1), source);
    return new Run(name, r.samplesPerSecond(), r.dataWaitShare(), r.history());
  }

  private int train() {
    ExampleSource arrays = new ArraySource(IdxReader.readImages(idx, -1));
    try (ImageFolderSource pngs = ImageFolderSource.builder(folder).channels(1).size(28, 28).threads(threads).build()) {
      if (pngs.size() != arrays.size()) {
        throw new IllegalArgumentException(folder + " holds " + pngs.size() + " images, the IDX file " + arrays.size());
      }
      List<Double> ratio = new ArrayList<>();
      List<Double> idxRate = new ArrayList<>();
      List<Double> pngRate = new ArrayList<>();
      List<Double> pngWait = new ArrayList<>();
      List<Double> idxWait = new ArrayList<>();
      double maxDiff = 0;
      for (int round = 0; round < rounds; round++) {
        Run a;
        Run b;
        if (round % 2 == 0) {
          a = run("idx", arrays);
          b = run("png", pngs);
        } else {
          b = run("png", pngs);
          a = run("idx", arrays);
        }
        double diff = 0;
        for (int i = 0; i < a.history().size(); i++) {
          diff = Math.max(diff, Math.abs(a.history().get(i).loss() - b.history().get(i).loss()));
        }
        maxDiff = Math.max(maxDiff, diff);
        idxRate.add(a.samplesPerSecond());
        pngRate.add(b.samplesPerSecond());
        idxWait.add(a.dataWait());
        pngWait.add(b.dataWait());
        ratio.add(b.samplesPerSecond() / a.samplesPerSecond());
        System.out.printf(Locale.ROOT,
            "round %d: idx %.1f img/s (wait %.1f %%), png folder %.1f img/s (wait %.1f %%), ratio %.3f,"
                + " max |loss diff| %.3g, last loss %.6f / %.6f%n",
            round, a.samplesPerSecond(), 100 * a.dataWait(), b.samplesPerSecond(), 100 * b.dataWait(),
            ratio.get(round), diff, a.history().get(a.history().size() - 1).loss(),
            b.history().get(b.history().size() - 1).loss());
      }
      System.out.printf(Locale.ROOT,
          "median over %d rounds of %d steps x %d images: idx %.1f img/s (data wait %.1f %%), png folder %.1f"
              + " img/s (data wait %.1f %%), png/idx %.3f; max |loss diff| %.3g%n",
          rounds, steps, batch, median(idxRate), 100 * median(idxWait), median(pngRate), 100 * median(pngWait),
          median(ratio), maxDiff);
    }
    return 0;
  }

  private int decode() throws IOException {
    Files.createDirectories(folder);
    Random r = new Random(7);
    long bytes = 0;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      Path f = folder.resolve(String.format("%05d.jpg", i));
      if (!Files.exists(f)) {
        int w = 200 + r.nextInt(301);
        int h = 200 + r.nextInt(301);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(r.nextInt()), w, h, new Color(r.nextInt())));
        g.fillRect(0, 0, w, h);
        for (int k = 0; k < 20; k++) {
          g.setColor(new Color(r.nextInt()));
          g.fillOval(r.nextInt(w), r.nextInt(h), 10 + r.nextInt(w / 2), 10 + r.nextInt(h / 2));
        }
        g.dispose();
        for (int k = 0; k < w * h / 20; k++) { // texture, so the JPEG is not trivially smooth
          img.setRGB(r.nextInt(w), r.nextInt(h), r.nextInt());
        }
        ImageIO.write(img, "jpg", f.toFile());
      }
      bytes += Files.size(f);
      files.add(f);
    }
    System.out.printf(Locale.ROOT, "%d JPEG files, %.1f KB on average%n", files.size(), bytes / 1024.0 / files.size());
    List<Double> jdk = new ArrayList<>();
    List<Double> twelve = new ArrayList<>();
    List<Double> source1 = new ArrayList<>();
    List<Double> source2 = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      jdk.add(readAll(files, "com.sun.imageio.plugins.jpeg.JPEGImageReader"));
      twelve.add(readAll(files, "com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReader"));
      source1.add(viaSource(1));
      source2.add(viaSource(2));
      System.out.printf(Locale.ROOT, "round %d ms/image: JDK reader %.2f, TwelveMonkeys %.2f,"
          + " ImageFolderSource 64x64 1 thread %.2f, 2 threads %.2f%n", round, jdk.get(round), twelve.get(round),
          source1.get(round), source2.get(round));
    }
    System.out.printf(Locale.ROOT, "median ms/image: JDK reader %.2f, TwelveMonkeys %.2f,"
        + " ImageFolderSource 64x64 1 thread %.2f, 2 threads %.2f%n", median(jdk), median(twelve),
        median(source1), median(source2));
    return 0;
  }

  private double viaSource(int t) {
    try (ImageFolderSource s = ImageFolderSource.builder(folder).channels(3).size(64, 64).threads(t).build()) {
      long start = System.nanoTime();
      for (long from = 0; from < s.size(); from += 256) {
        int n = (int) Math.min(256, s.size() - from);
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
          idx[i] = from + i;
        }
        s.get(idx);
      }
      return (System.nanoTime() - start) / 1e6 / s.size();
    }
  }

  private static double readAll(List<Path> files, String readerClass) throws IOException {
    long start = System.nanoTime();
    for (Path f : files) {
      try (ImageInputStream in = ImageIO.createImageInputStream(f.toFile())) {
        ImageReader reader = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
          ImageReader candidate = it.next();
          if (candidate.getClass().getName().equals(readerClass)) {
            reader = candidate;
          }
        }
        if (reader == null) {
          throw new IllegalStateException("no reader " + readerClass);
        }
        reader.setInput(in);
        reader.read(0);
        reader.dispose();
      }
    }
    return (System.nanoTime() - start) / 1e6 / files.size();
  }

  private static double median(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
