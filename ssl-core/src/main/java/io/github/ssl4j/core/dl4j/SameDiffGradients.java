package io.github.ssl4j.core.dl4j;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Creates a SameDiff graph's gradient function without ND4J's chatter on standard output.
 *
 * <p>ND4J 1.0.0-M2.1's {@code SameDiff.createGradFunction} prints "Added differentiated op …" with
 * {@code System.out.println} for every op it differentiates, with no switch to turn it off
 * (docs/development/dl4j-workarounds.md). {@link #create} runs it with a standard output that drops what the
 * calling thread writes and passes everything other threads write through to the original stream
 * unchanged. The replacement is installed only while at least one thread is inside {@link
 * #create} and removed when the last one leaves; if the application replaced {@code System.out}
 * meanwhile, its stream is left in place. Thread-safe and reentrant.
 */
public final class SameDiffGradients {
  /** Per thread inside {@link #create}: how deep (reentrant calls); absent for other threads. */
  private static final ThreadLocal<int[]> QUIET_DEPTH = new ThreadLocal<>();
  private static final Object LOCK = new Object();
  private static int threadsInside;
  private static PrintStream original;
  private static PrintStream filtered;

  private SameDiffGradients() {}

  /**
   * Calls {@code sd.createGradFunction(variablesRequiringGradients)}, dropping what it prints to
   * {@code System.out} on this thread.
   *
   * @param sd the graph, with its loss variables set or inferable
   * @param variablesRequiringGradients placeholders that need gradients besides the variables
   *     (as for {@code createGradFunction}); none for the default
   */
  public static void create(SameDiff sd, String... variablesRequiringGradients) {
    Objects.requireNonNull(sd, "sd");
    Objects.requireNonNull(variablesRequiringGradients, "variablesRequiringGradients");
    enter();
    try {
      sd.createGradFunction(variablesRequiringGradients);
    } finally {
      exit();
    }
  }

  private static void enter() {
    synchronized (LOCK) {
      int[] depth = QUIET_DEPTH.get();
      if (depth == null) {
        depth = new int[1];
        QUIET_DEPTH.set(depth);
      }
      if (depth[0]++ > 0) {
        return;
      }
      if (threadsInside++ == 0) {
        original = System.out;
        filtered = new PrintStream(new ThreadFilter(original), true);
        System.setOut(filtered);
      }
    }
  }

  private static void exit() {
    synchronized (LOCK) {
      int[] depth = QUIET_DEPTH.get();
      if (--depth[0] > 0) {
        return;
      }
      QUIET_DEPTH.remove();
      if (--threadsInside == 0) {
        if (System.out == filtered) {
          System.setOut(original);
        }
        original = null;
        filtered = null;
      }
    }
  }

  /** Forwards to the stream it replaced, except for threads inside {@link #create}. */
  private static final class ThreadFilter extends OutputStream {
    private final PrintStream target;

    ThreadFilter(PrintStream target) {
      this.target = target;
    }

    private static boolean quiet() {
      int[] depth = QUIET_DEPTH.get();
      return depth != null && depth[0] > 0;
    }

    @Override
    public void write(int b) {
      if (!quiet()) {
        target.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (!quiet()) {
        target.write(b, off, len);
      }
    }

    @Override
    public void flush() {
      target.flush();
    }
  }
}
