package io.github.ssl4j.core.dl4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN primitives called directly, through JavaCPP's binding of oneDNN ({@code org.bytedeco:dnnl},
 * the oneDNN release line that ND4J's own oneDNN build uses), for the layer passes that DL4J's
 * helpers cannot be steered to: convolution, batch norm and max pooling that hand each other
 * activations in oneDNN's blocked layouts ({@link OneDnnLayouts}, {@link OneDnnConvolution}), a
 * max-pooling backward pass that reuses its forward pass's workspace, a weight gradient without
 * the input gradient.
 *
 * <p>Needs the binding's Java classes (a dependency of {@code ssl-core}) and its natives for the
 * platform on the class path ({@code org.bytedeco:dnnl:<version>:linux-x86_64} and {@code
 * org.bytedeco:opencl:<version>:linux-x86_64}; the modules that run ssl4j declare them). When the
 * natives cannot be loaded, or {@code -D}{@value #PROPERTY}{@code =false} is set, {@link #available()}
 * is false and every caller takes the path it had before. Float arrays only.
 *
 * <p>Not thread-safe per {@link Call}; each layer owns its calls, as DL4J layers are used by one
 * thread at a time. Streams are per thread.
 */
public final class OneDnn {
  private static final Logger log = LoggerFactory.getLogger(OneDnn.class);

  /** System property: {@code false} keeps every layer off the direct oneDNN paths. */
  public static final String PROPERTY = "ssl4j.onednn";

  private static volatile Boolean loaded;
  private static engine cpu;
  private static final ThreadLocal<stream> STREAMS = new ThreadLocal<>();

  private OneDnn() {}

  /**
   * @return whether oneDNN's natives are loaded and the direct paths are allowed ({@value
   *     #PROPERTY} not {@code false}); loads them on the first call
   */
  public static boolean available() {
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim())) {
      return false;
    }
    Boolean l = loaded;
    if (l == null) {
      synchronized (OneDnn.class) {
        l = loaded;
        if (l == null) {
          l = load();
          loaded = l;
        }
      }
    }
    return l;
  }

  private static boolean load() {
    try {
      Loader.load(dnnl.class);
      cpu = new engine(engine.kind.cpu, 0);
      log.debug("oneDNN {} loaded for ssl4j's direct layer paths", version());
      return true;
    } catch (LinkageError | RuntimeException e) {
      log.info("oneDNN natives (org.bytedeco:dnnl for this platform) are not on the class path or do not "
          + "load ({}); layers use DL4J's and ND4J's own paths", e.toString());
      return false;
    }
  }

  /** @return oneDNN's version, e.g. {@code 2.5.2}; requires {@link #available()} */
  static String version() {
    var v = dnnl.dnnl_version();
    return v.major() + "." + v.minor() + "." + v.patch();
  }

  static engine engine() {
    if (!available()) {
      throw new IllegalStateException("oneDNN is not available: check OneDnn.available() first");
    }
    return cpu;
  }

  static stream stream() {
    stream s = STREAMS.get();
    if (s == null) {
      s = new stream(engine());
      STREAMS.set(s);
    }
    return s;
  }

  /**
   * A plain (row-major, dense) float memory descriptor.
   *
   * @param dims dimensions, 1 to 5 of them
   */
  static memory.desc plain(long... dims) {
    memory.format_tag tag = switch (dims.length) {
      case 1 -> memory.format_tag.a;
      case 2 -> memory.format_tag.ab;
      case 3 -> memory.format_tag.abc;
      case 4 -> memory.format_tag.abcd;
      case 5 -> memory.format_tag.abcde;
      default -> throw new IllegalArgumentException("rank " + dims.length + " is not 1 to 5");
    };
    return new memory.desc(dims, memory.data_type.f32, tag);
  }

  /** @return whether two layouts are the same (null: plain, the same only as null) */
  static boolean sameLayout(memory.desc a, memory.desc b) {
    return a == null ? b == null : b != null && a.equals(b);
  }

  /**
   * The part of a layer (or its helper) that {@link OneDnnLayouts} links: it reads oneDNN layouts
   * whenever oneDNN is available, and remembers whether its output may stay in one.
   */
  abstract static class LayoutAware implements OneDnnLayouts.Layer {
    /** Whether the output may stay in the input's oneDNN layout (the consumer reads it). */
    protected boolean oneDnnOutput;

    @Override
    public boolean readsOneDnnLayouts() {
      return available();
    }

    @Override
    public void oneDnnOutput(boolean allowed) {
      this.oneDnnOutput = allowed;
    }
  }

  /** A float memory descriptor with oneDNN's format {@code any}: the primitive picks its layout. */
  static memory.desc any(long... dims) {
    return new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
  }

  /**
   * @return whether {@code a} is a float array laid out row-major and dense (its data can be handed
   *     to oneDNN as {@link #plain} memory of its shape)
   */
  static boolean isPlainFloat(INDArray a) {
    if (a.dataType() != DataType.FLOAT || a.isEmpty()) {
      return false;
    }
    long[] shape = a.shape();
    long[] stride = a.stride();
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  /** @return the address of {@code a}'s first element */
  static long address(INDArray a) {
    return a.data().addressPointer().address();
  }

  /** A raw native address as a JavaCPP pointer, for {@code memory.set_data_handle}. */
  static final class Address extends Pointer {
    Address(long address) {
      this.address = address;
    }
  }

  /** @return a primitive attribute asking for a caller-provided scratchpad */
  static primitive_attr userScratchpad() {
    primitive_attr attr = new primitive_attr();
    attr.set_scratchpad_mode(dnnl.scratchpad_mode.user);
    return attr;
  }

  /**
   * The few {@link Call}s of one layer, one per combination of layouts its arrays arrive in (e.g.
   * plain or blocked input); looked up by their layouts ({@code null} for plain).
   */
  static final class Calls {
    private static final int KEPT = 4;
    private final List<memory.desc[]> keys = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();

    Call get(java.util.function.Supplier<Call> create, memory.desc... layouts) {
      for (int i = 0; i < keys.size(); i++) {
        if (sameLayouts(keys.get(i), layouts)) {
          return calls.get(i);
        }
      }
      if (keys.size() == KEPT) {
        keys.remove(0);
        calls.remove(0);
      }
      Call c = create.get();
      keys.add(layouts.clone());
      calls.add(c);
      return c;
    }

    void clear() {
      keys.clear();
      calls.clear();
    }

    private static boolean sameLayouts(memory.desc[] a, memory.desc[] b) {
      for (int i = 0; i < a.length; i++) {
        if (!sameLayout(a[i], b[i])) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * One primitive ready to run: its memory objects, created once per argument, are pointed at the
   * caller's arrays on each run. Its temporaries (the scratchpad, and buffers in the layouts the
   * primitive wants where the caller's arrays are plain) live in a workspace array the caller
   * hands to {@link #run(LayerWorkspaceMgr, ArrayType)}, so that DL4J's workspaces reuse that
   * memory; only what must outlive a run (e.g. a pooling workspace) is owned by the call.
   */
  static final class Call {
    private static final long ALIGNMENT = 64;

    private final primitive primitive;
    private final IntMemoryMap args = new IntMemoryMap();
    /** The memory each argument's caller array is bound to (the primitive's, or a reorder's). */
    private final Map<Integer, memory> memories = new HashMap<>();
    /** Memory placed in the run's temporary array, at the byte offsets in {@link #tempOffsets}. */
    private final List<memory> temps = new ArrayList<>();
    private final List<Long> tempOffsets = new ArrayList<>();
    private long tempBytes;
    private final List<Runnable> before = new ArrayList<>();
    private final List<Runnable> after = new ArrayList<>();
    private final String name;
    private final primitive_desc_base pd;
    /** The memory each argument of the primitive gets (for the check before the first run). */
    private final Map<Integer, memory> primitiveArgs = new HashMap<>();
    private boolean checked;

    /**
     * @param primitive the primitive
     * @param pd its primitive descriptor, created with {@link #userScratchpad()}
     * @param name what it computes, for error messages
     */
    Call(primitive primitive, primitive_desc_base pd, String name) {
      this.primitive = primitive;
      this.pd = pd;
      this.name = name;
      memory.desc scratch = pd.scratchpad_desc();
      if (scratch.get_size() > 0) {
        put(dnnl.DNNL_ARG_SCRATCHPAD, temp(scratch));
      }
    }

    private void put(int arg, memory m) {
      args.put(arg, m);
      primitiveArgs.put(arg, m);
    }

    /** Each argument's memory against what the primitive expects, with the argument named. */
    private void check() {
      for (Map.Entry<Integer, memory> e : primitiveArgs.entrySet()) {
        memory.desc expected = pd.query_md(dnnl.query.exec_arg_md, e.getKey());
        if (!expected.equals(e.getValue().get_desc())) {
          throw new IllegalStateException(name + ": argument " + e.getKey() + " has a memory layout of "
              + e.getValue().get_desc().get_size() + " bytes that differs from the primitive's ("
              + expected.get_size() + " bytes)");
        }
      }
      for (int arg : KNOWN_ARGS) {
        // weights and scale-shift are one argument id; a normalisation given scale and shift has them
        boolean alias = arg == dnnl.DNNL_ARG_WEIGHTS && primitiveArgs.containsKey(dnnl.DNNL_ARG_SCALE)
            || arg == dnnl.DNNL_ARG_DIFF_WEIGHTS && primitiveArgs.containsKey(dnnl.DNNL_ARG_DIFF_SCALE);
        if (!alias && !primitiveArgs.containsKey(arg) && pd.query_md(dnnl.query.exec_arg_md, arg).get_size() > 0) {
          throw new IllegalStateException(name + ": the primitive expects argument " + arg + ", not given");
        }
      }
      checked = true;
    }

    private static final int[] KNOWN_ARGS = {dnnl.DNNL_ARG_SRC, dnnl.DNNL_ARG_DST, dnnl.DNNL_ARG_WEIGHTS,
        dnnl.DNNL_ARG_BIAS, dnnl.DNNL_ARG_MEAN, dnnl.DNNL_ARG_VARIANCE, dnnl.DNNL_ARG_SCALE, dnnl.DNNL_ARG_SHIFT,
        dnnl.DNNL_ARG_WORKSPACE, dnnl.DNNL_ARG_SCRATCHPAD, dnnl.DNNL_ARG_DIFF_SRC, dnnl.DNNL_ARG_DIFF_DST,
        dnnl.DNNL_ARG_DIFF_WEIGHTS, dnnl.DNNL_ARG_DIFF_BIAS, dnnl.DNNL_ARG_DIFF_SCALE, dnnl.DNNL_ARG_DIFF_SHIFT};

    private memory temp(memory.desc desc) {
      memory m = new memory(desc, engine(), new Address(0));
      temps.add(m);
      tempOffsets.add(tempBytes);
      tempBytes += (desc.get_size() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
      return m;
    }

    /** Declares argument {@code arg} with descriptor {@code desc}, bound later with {@link #bind}. */
    Call arg(int arg, memory.desc desc) {
      memory m = new memory(desc, engine(), new Address(0));
      memories.put(arg, m);
      put(arg, m);
      return this;
    }

    /**
     * Declares argument {@code arg}, bound later to caller arrays laid out as {@code given} (plain,
     * or a oneDNN layout), for which the primitive wants {@code wanted} (its descriptor's, e.g. a
     * blocked layout): when the two differ, the run reorders into a temporary in the wanted layout
     * before the primitive runs ({@code input}) or out of it after ({@code !input}).
     */
    Call arg(int arg, memory.desc given, memory.desc wanted, boolean input) {
      if (wanted.equals(given)) {
        return arg(arg, given);
      }
      memory user = new memory(given, engine(), new Address(0));
      memory own = temp(wanted);
      put(arg, own);
      memories.put(arg, user);
      if (input) {
        reorder r = new reorder(user, own);
        before.add(() -> r.execute(stream(), user, own));
      } else {
        reorder r = new reorder(own, user);
        after.add(() -> r.execute(stream(), own, user));
      }
      return this;
    }

    /** Declares argument {@code arg} as memory this call allocates and keeps (e.g. a workspace). */
    memory own(int arg, memory.desc desc) {
      memory m = new memory(desc, engine());
      memories.put(arg, m);
      put(arg, m);
      return m;
    }

    /** Shares memory owned by another call (e.g. a forward pass's workspace with its backward pass). */
    Call share(int arg, memory m) {
      memories.put(arg, m);
      put(arg, m);
      return this;
    }

    /** Points argument {@code arg} at {@code a}'s data (a float array, row-major and dense). */
    Call bind(int arg, INDArray a) {
      if (!isPlainFloat(a)) {
        throw new IllegalArgumentException(name + ": argument " + arg + " must be a dense row-major float "
            + "array, got " + a.dataType() + " " + a.shapeInfoToString().replace('\n', ' '));
      }
      memory m = memories.get(arg);
      if (m == null) {
        throw new IllegalStateException(name + ": argument " + arg + " was not declared");
      }
      m.set_data_handle(new Address(address(a)));
      return this;
    }

    /**
     * Runs the primitive (with its reorders) and waits for it.
     *
     * @param workspaceMgr where the temporaries go
     * @param type the workspace array type for them ({@code FF_WORKING_MEM} in a forward pass,
     *     {@code BP_WORKING_MEM} in a backward pass)
     */
    void run(LayerWorkspaceMgr workspaceMgr, ArrayType type) {
      if (tempBytes > 0) {
        long floats = (tempBytes + ALIGNMENT) / Float.BYTES;
        long base = address(workspaceMgr.createUninitialized(type, DataType.FLOAT, new long[] {floats}, 'c'));
        long aligned = (base + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        for (int i = 0; i < temps.size(); i++) {
          temps.get(i).set_data_handle(new Address(aligned + tempOffsets.get(i)));
        }
      }
      if (!checked) {
        check();
      }
      stream s = stream();
      before.forEach(Runnable::run);
      primitive.execute(s, args);
      after.forEach(Runnable::run);
      s._wait();
    }

    @Override
    public String toString() {
      return name.toLowerCase(Locale.ROOT);
    }
  }
}
