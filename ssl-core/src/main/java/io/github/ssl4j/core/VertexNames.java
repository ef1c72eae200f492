package io.github.ssl4j.core;
import java.util.Objects;

/**
 * The one place vertex names come from. Freezing, cutting and exporting work by these names.
 */
public final class VertexNames {
  /** Graph input feeding the encoder. */
  public static final String INPUT = "input";
  /** Prefix of encoder vertices. */
  public static final String ENCODER = "encoder/";
  /** Prefix of decoder vertices. */
  public static final String DECODER = "decoder/";
  /** Prefix of pretext heads (projection heads, prediction heads). */
  public static final String HEAD = "head/";
  /** Prefix of loss/output layers. */
  public static final String LOSS = "loss/";
  /** Global pooling added after a non-vector encoder output to form the representation. */
  public static final String REPRESENTATION = "encoder/representation";
  /** Downstream head added by the fine-tune adapter. */
  public static final String DOWNSTREAM = "downstream/";

  private VertexNames() {}

  /** Encoder vertex name for a local name, e.g. {@code encoder("conv1") = "encoder/conv1"}. */
  public static String encoder(String local) {
    return ENCODER + local;
  }

  public static String decoder(String local) {
    return DECODER + local;
  }

  public static String head(String local) {
    return HEAD + local;
  }

  public static String loss(String local) {
    return LOSS + local;
  }

  public static boolean isEncoder(String vertex) {
    Objects.requireNonNull(vertex, "vertex");
    return vertex.startsWith(ENCODER);
  }
}
