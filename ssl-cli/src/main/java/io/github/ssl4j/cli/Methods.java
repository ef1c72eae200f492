package io.github.ssl4j.cli;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.decoders.ConvDecoder;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.encoders.MlpEncoder;
import io.github.ssl4j.core.tasks.DenoisingAutoencoderTask;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The pretraining methods of the {@code ssl4j} command, by name. A new method is one {@link
 * #register} line in the static block below (plus a {@link PretrainingMethod}).
 */
public final class Methods {
  private static final Map<String, PretrainingMethod> METHODS = new LinkedHashMap<>();
  private static final Map<String, String> ALIASES = new LinkedHashMap<>();

  static {
    register("simclr", new Contrastive(), "contrastive");
    register("masked-image", new MaskedImage());
    register("denoising", new Denoising());
  }

  private Methods() {}

  /**
   * Adds a method under {@code name} (and optional aliases).
   *
   * @throws IllegalArgumentException if a name is taken
   */
  public static synchronized void register(String name, PretrainingMethod method, String... aliases) {
    for (String n : concat(name, aliases)) {
      if (METHODS.containsKey(n) || ALIASES.containsKey(n)) {
        throw new IllegalArgumentException("method name '" + n + "' is already registered");
      }
    }
    METHODS.put(name, method);
    for (String a : aliases) {
      ALIASES.put(a, name);
    }
  }

  /** The method names, in registration order. */
  public static synchronized List<String> names() {
    return List.copyOf(METHODS.keySet());
  }

  /** Alias to method name. */
  public static synchronized Map<String, String> aliases() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(ALIASES));
  }

  /** The canonical name of a method name or alias (case-insensitive). */
  public static synchronized String canonical(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    n = ALIASES.getOrDefault(n, n);
    if (!METHODS.containsKey(n)) {
      throw new IllegalArgumentException("Unknown method '" + name + "'; choose one of " + METHODS.keySet()
          + (ALIASES.isEmpty() ? "" : " (aliases " + ALIASES + ")") + "; `ssl4j methods` lists them");
    }
    return n;
  }

  /** The method of a name or alias (case-insensitive). */
  public static synchronized PretrainingMethod get(String name) {
    return METHODS.get(canonical(name));
  }

  private static List<String> concat(String name, String... more) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(List.of(more));
    all.add(0, name);
    return all;
  }

  private static void requireDivisibleBy4(String method, ImageShape s) {
    if (s.height() % 4 != 0 || s.width() % 4 != 0) {
      throw new IllegalArgumentException("Method " + method + " with the small CNN needs a height and width"
          + " divisible by 4 (two 2x2 poolings), got " + s.height() + "x" + s.width() + "; e.g. --size 32");
    }
  }

  /** SimCLR: two augmented views, NT-Xent, the small CNN. */
  static final class Contrastive implements PretrainingMethod {
    @Override
    public String description() {
      return "SimCLR: two augmented views of each image, NT-Xent loss over the batch (batch >= 2)";
    }

    @Override
    public List<String> encoderPresets() {
      return List.of("small");
    }

    @Override
    public PretextTask task(ImageShape images) {
      return ContrastiveTask.simclr();
    }

    @Override
    public Encoder encoder(String preset, ImageShape s) {
      requirePreset(this, preset);
      return ConvEncoder.small(s.height(), s.width(), s.channels());
    }
  }

  /** Masked image modelling: hide patches, reconstruct them from the rest. */
  static final class MaskedImage implements PretrainingMethod {
    @Override
    public String description() {
      return "masked image modelling: hide half of the 4x4 patches, reconstruct their pixels";
    }

    @Override
    public List<String> encoderPresets() {
      return List.of("small");
    }

    @Override
    public PretextTask task(ImageShape s) {
      requireDivisibleBy4("masked-image", s);
      return MaskedImageTask.builder().decoder(ConvDecoder.builder(s.channels()).build()).build();
    }

    @Override
    public Encoder encoder(String preset, ImageShape s) {
      requirePreset(this, preset);
      requireDivisibleBy4("masked-image", s);
      return MaskedImageTask.smallCnnEncoder(s.height(), s.width(), s.channels());
    }

    /** The image with an empty mask channel: nothing hidden (in pretraining the task adds the mask). */
    @Override
    public INDArray encoderInput(INDArray images) {
      return MaskedImageTask.withEmptyMask(images);
    }
  }

  /** Denoising autoencoder on the flattened image. */
  static final class Denoising implements PretrainingMethod {
    @Override
    public String description() {
      return "denoising autoencoder: reconstruct the image from a copy with Gaussian noise (sigma 0.2), MLP";
    }

    @Override
    public List<String> encoderPresets() {
      return List.of("mlp");
    }

    @Override
    public PretextTask task(ImageShape images) {
      return DenoisingAutoencoderTask.builder(DenoisingAutoencoderTask.Noise.gaussian(0.2)).build();
    }

    @Override
    public Encoder encoder(String preset, ImageShape s) {
      requirePreset(this, preset);
      return MlpEncoder.builder(s.values()).hiddenWidths(256, 64).build();
    }

    /** Each image flattened to a vector of channels x height x width values. */
    @Override
    public INDArray taskInput(INDArray images) {
      return images.reshape('c', images.size(0), images.length() / images.size(0));
    }

    /** Each image flattened, as in pretraining. */
    @Override
    public INDArray encoderInput(INDArray images) {
      return taskInput(images);
    }
  }

  private static void requirePreset(PretrainingMethod m, String preset) {
    if (!m.encoderPresets().contains(preset)) {
      throw new IllegalArgumentException("Unknown encoder preset '" + preset + "' for this method; choose one of "
          + m.encoderPresets());
    }
  }
}
