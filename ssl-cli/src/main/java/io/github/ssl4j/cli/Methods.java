package io.github.ssl4j.cli;

import io.github.ssl4j.core.encoders.VisionTransformer;
import io.github.ssl4j.tasks.barlowtwins.BarlowTwinsTask;
import io.github.ssl4j.tasks.byol.ByolTask;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.dino.DinoTask;
import io.github.ssl4j.tasks.mae.MaskedAutoencoderTask;
import io.github.ssl4j.tasks.moco.MocoTask;
import io.github.ssl4j.tasks.simsiam.SimSiamTask;
import io.github.ssl4j.tasks.vicreg.VicRegTask;

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
    register("moco", new TwoViews("MoCo v2: momentum key encoder and a queue of negatives, InfoNCE (batch >= 2)",
        views -> MocoTask.builder().views(views).build()), "moco-v2");
    register("byol", new TwoViews("BYOL: online network with predictor against an EMA target, 2 - 2 cos",
        views -> ByolTask.builder().views(views).build()));
    register("simsiam", new TwoViews("SimSiam: predictor and stop-gradient, negative cosine",
        views -> SimSiamTask.builder().views(views).build()));
    register("barlow-twins", new TwoViews("Barlow Twins: cross-correlation of the two views' embeddings towards identity",
        views -> BarlowTwinsTask.builder().views(views).build()), "barlowtwins");
    register("vicreg", new TwoViews("VICReg: invariance, variance and covariance terms",
        views -> VicRegTask.builder().views(views).build()));
    register("dino", new TwoViews("DINO: self-distillation from an EMA teacher with centring and sharpening",
        views -> DinoTask.builder().views(views).build()));
    register("mae", new MaskedAutoencoder());
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
    public PretextTask task(ImageShape s) {
      return ContrastiveTask.simclr(s.channels(), s.height(), s.width());
    }

    @Override
    public Encoder encoder(String preset, ImageShape s) {
      requirePreset(this, preset);
      return ConvEncoder.small(s.height(), s.width(), s.channels());
    }
  }

  /** The ViT patch side for images of this shape: 8 from 64 px, else 7 or 4, whichever divides both sides. */
  static int vitPatch(String method, ImageShape s) {
    for (int p : s.height() >= 64 && s.width() >= 64 ? new int[] {8, 4} : new int[] {7, 4}) {
      if (s.height() % p == 0 && s.width() % p == 0) {
        return p;
      }
    }
    throw new IllegalArgumentException("Method " + method + " with the ViT needs a height and width divisible by 4, 7"
        + " or 8 (the patch side), got " + s.height() + "x" + s.width() + "; e.g. --size 32");
  }

  /**
   * A joint-embedding method on two SimCLR views of each image (the full colour set for RGB), on the
   * small CNN or the ViT.
   */
  static final class TwoViews implements PretrainingMethod {
    private final String description;
    private final java.util.function.Function<MultiViewTransform, PretextTask> task;

    TwoViews(String description, java.util.function.Function<MultiViewTransform, PretextTask> task) {
      this.description = description;
      this.task = task;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public List<String> encoderPresets() {
      return List.of("small", "vit");
    }

    @Override
    public PretextTask task(ImageShape s) {
      return task.apply(MultiViewTransform.simclr(s.channels(), s.height(), s.width()));
    }

    @Override
    public Encoder encoder(String preset, ImageShape s) {
      requirePreset(this, preset);
      return preset.equals("vit")
          ? VisionTransformer.tiny(s.height(), s.width(), s.channels(), vitPatch(description, s))
          : ConvEncoder.small(s.height(), s.width(), s.channels());
    }
  }

  /** MAE: masked patches removed from a ViT's input, their normalised pixels reconstructed. */
  static final class MaskedAutoencoder implements PretrainingMethod {
    @Override
    public String description() {
      return "MAE: hide 75 % of the patches from a ViT, reconstruct their normalised pixels";
    }

    @Override
    public List<String> encoderPresets() {
      return List.of("vit");
    }

    @Override
    public PretextTask task(ImageShape s) {
      return MaskedAutoencoderTask.mae(vitPatch("mae", s));
    }

    @Override
    public Encoder encoder(String preset, ImageShape s) {
      requirePreset(this, preset);
      return VisionTransformer.tiny(s.height(), s.width(), s.channels(), vitPatch("mae", s));
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
