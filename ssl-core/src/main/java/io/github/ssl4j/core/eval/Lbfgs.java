package io.github.ssl4j.core.eval;

import java.util.Objects;

/**
 * Limited-memory BFGS minimiser of a smooth function of a {@code double[]} vector, with a line
 * search satisfying the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9; bracketing then zoom with
 * cubic interpolation, Nocedal &amp; Wright algorithms 3.5/3.6, as in {@code torch.optim.LBFGS}).
 *
 * <p>The stopping rules follow {@code torch.optim.LBFGS}: stop when max|grad| &lt;= {@code
 * gradTolerance}, when the step max|t·d| is at most {@code changeTolerance} or the change of the
 * value is below {@code changeTolerance}·max(1, |value|), when the directional derivative is above
 * -{@code changeTolerance}, after {@code maxIterations} iterations, or once {@code maxEvaluations}
 * function evaluations have been spent. The first step has length min(1, 1/|g|₁), later steps
 * start at 1.
 *
 * <p>Not DL4J's {@code org.deeplearning4j.optimize.solvers.LBFGS}: it has a fixed history of 4, an
 * Armijo-only backtracking search and no gradient/change tolerance, so it cannot fit to
 * convergence like the reference.
 *
 * <p>Deterministic: the same function and start give the same iterates. Not thread-safe.
 */
final class Lbfgs {

  /** A function with its gradient. */
  @FunctionalInterface
  interface Objective {
    /**
     * Value at {@code x}; writes the gradient at {@code x} into {@code gradient}.
     *
     * @param x point, not modified
     * @param gradient output, same length as {@code x}
     */
    double evaluate(double[] x, double[] gradient);
  }

  /** Why the minimiser stopped. */
  enum Stop {
    /** max|grad| &lt;= gradTolerance. */
    GRADIENT,
    /** Step or value change below changeTolerance (or no descent direction left). */
    CHANGE,
    /** maxIterations reached. */
    ITERATIONS,
    /** maxEvaluations reached. */
    EVALUATIONS
  }

  /**
   * Outcome of {@link #minimize}.
   *
   * @param x final point
   * @param value function value at {@code x}
   * @param gradient gradient at {@code x}
   * @param iterations L-BFGS iterations done
   * @param evaluations function evaluations done (including the one at the start)
   * @param stop why it stopped
   */
  record Result(double[] x, double value, double[] gradient, int iterations, int evaluations,
      Stop stop) {}

  static final int DEFAULT_HISTORY = 20;
  static final double DEFAULT_GRAD_TOLERANCE = 1e-7;
  /**
   * Tighter than torch's 1e-9: with 1e-9 the change tests (and gtd &gt; -1e-9) stop around
   * max|grad| ~ 1e-5 (Rosenbrock ends 2e-5 from its minimum), before the gradient test can.
   */
  static final double DEFAULT_CHANGE_TOLERANCE = 1e-12;

  private static final double C1 = 1e-4;
  private static final double C2 = 0.9;
  private static final int MAX_LINE_SEARCH = 25;

  private final int maxIterations;
  private final int maxEvaluations;
  private final int history;
  private final double gradTolerance;
  private final double changeTolerance;

  /**
   * @param maxIterations &gt;= 1
   * @param maxEvaluations &gt;= 1; torch's default is maxIterations * 5 / 4
   * @param history number of correction pairs kept, &gt;= 1
   * @param gradTolerance stop when max|grad| is at most this, &gt;= 0
   * @param changeTolerance stop when step or value change is below this, &gt;= 0
   */
  Lbfgs(int maxIterations, int maxEvaluations, int history, double gradTolerance,
      double changeTolerance) {
    if (maxIterations < 1 || maxEvaluations < 1 || history < 1 || !(gradTolerance >= 0)
        || !(changeTolerance >= 0)) {
      throw new IllegalArgumentException("L-BFGS needs maxIterations, maxEvaluations, history >= 1"
          + " and tolerances >= 0, got maxIterations=" + maxIterations + ", maxEvaluations="
          + maxEvaluations + ", history=" + history + ", gradTolerance=" + gradTolerance
          + ", changeTolerance=" + changeTolerance);
    }
    this.maxIterations = maxIterations;
    this.maxEvaluations = maxEvaluations;
    this.history = history;
    this.gradTolerance = gradTolerance;
    this.changeTolerance = changeTolerance;
  }

  /**
   * torch.optim.LBFGS defaults (history 20, gradient tolerance 1e-7, 1.25 × maxIterations
   * evaluations) except the change tolerance, 1e-12 (see {@link #DEFAULT_CHANGE_TOLERANCE}).
   */
  static Lbfgs withDefaults(int maxIterations) {
    return new Lbfgs(maxIterations, Math.max(1, maxIterations * 5 / 4), DEFAULT_HISTORY,
        DEFAULT_GRAD_TOLERANCE, DEFAULT_CHANGE_TOLERANCE);
  }

  /**
   * Minimises {@code f} from {@code x0}.
   *
   * @param f function and gradient
   * @param x0 start, not modified
   */
  Result minimize(Objective f, double[] x0) {
    Objects.requireNonNull(f, "f");
    int n = x0.length;
    double[] x = x0.clone();
    double[] g = new double[n];
    double loss = f.evaluate(x, g);
    int evaluations = 1;
    if (maxAbs(g) <= gradTolerance) {
      return new Result(x, loss, g, 0, evaluations, Stop.GRADIENT);
    }
    // Ring buffer of correction pairs, oldest at (start), newest at (start + count - 1).
    double[][] s = new double[history][];
    double[][] y = new double[history][];
    double[] rho = new double[history];
    double[] alpha = new double[history];
    int start = 0;
    int count = 0;
    double hDiag = 1;
    double[] d = new double[n];
    double[] prevG = new double[n];
    double[] sNew = new double[n];
    double[] yNew = new double[n];
    double t = 0;
    LineSearch ls = new LineSearch(f, n);
    int iter = 0;
    Stop stop = Stop.ITERATIONS;
    while (iter < maxIterations) {
      iter++;
      if (iter == 1) {
        for (int i = 0; i < n; i++) {
          d[i] = -g[i];
        }
      } else {
        // New correction pair from the last step: s = t·d, y = g - prevG.
        double ys = 0;
        double yy = 0;
        for (int i = 0; i < n; i++) {
          yNew[i] = g[i] - prevG[i];
          sNew[i] = t * d[i];
          ys += yNew[i] * sNew[i];
          yy += yNew[i] * yNew[i];
        }
        if (ys > 1e-10) { // curvature condition; otherwise keep the old pairs
          int slot;
          if (count == history) {
            slot = start; // evict the oldest pair and reuse its arrays as scratch
            start = (start + 1) % history;
          } else {
            slot = (start + count) % history;
            count++;
          }
          double[] evictedS = s[slot];
          double[] evictedY = y[slot];
          s[slot] = sNew;
          y[slot] = yNew;
          rho[slot] = 1.0 / ys;
          sNew = evictedS != null ? evictedS : new double[n];
          yNew = evictedY != null ? evictedY : new double[n];
          hDiag = ys / yy;
        }
        // Two-loop recursion: d = -H g.
        for (int i = 0; i < n; i++) {
          d[i] = -g[i];
        }
        for (int j = count - 1; j >= 0; j--) {
          int k = (start + j) % history;
          alpha[k] = dot(s[k], d) * rho[k];
          axpy(-alpha[k], y[k], d);
        }
        for (int i = 0; i < n; i++) {
          d[i] *= hDiag;
        }
        for (int j = 0; j < count; j++) {
          int k = (start + j) % history;
          double beta = dot(y[k], d) * rho[k];
          axpy(alpha[k] - beta, s[k], d);
        }
      }
      System.arraycopy(g, 0, prevG, 0, n);
      double prevLoss = loss;
      t = iter == 1 ? Math.min(1.0, 1.0 / sumAbs(g)) : 1.0;
      double gtd = dot(g, d);
      if (gtd > -changeTolerance) {
        stop = Stop.CHANGE;
        iter--; // no step taken
        break;
      }
      ls.search(x, t, d, loss, g, gtd);
      loss = ls.value;
      t = ls.step;
      System.arraycopy(ls.gradient, 0, g, 0, n);
      axpy(t, d, x);
      evaluations += ls.evaluations;
      if (iter == maxIterations) {
        stop = Stop.ITERATIONS;
        break;
      }
      if (evaluations >= maxEvaluations) {
        stop = Stop.EVALUATIONS;
        break;
      }
      if (maxAbs(g) <= gradTolerance) {
        stop = Stop.GRADIENT;
        break;
      }
      if (Math.abs(t) * maxAbs(d) <= changeTolerance
          || Math.abs(loss - prevLoss) < changeTolerance * Math.max(1, Math.abs(loss))) {
        stop = Stop.CHANGE;
        break;
      }
    }
    if (stop == Stop.ITERATIONS && maxAbs(g) <= gradTolerance) {
      stop = Stop.GRADIENT;
    }
    return new Result(x, loss, g, iter, evaluations, stop);
  }

  /** Strong-Wolfe line search along a direction; reuses its buffers between calls. */
  private final class LineSearch {
    private final Objective f;
    private final double[] point;
    private final double[] newGrad;
    private final double[] prevGrad;
    private final double[] bracketGrad0;
    private final double[] bracketGrad1;
    double value;
    double step;
    double[] gradient;
    int evaluations;

    LineSearch(Objective f, int n) {
      this.f = f;
      this.point = new double[n];
      this.newGrad = new double[n];
      this.prevGrad = new double[n];
      this.bracketGrad0 = new double[n];
      this.bracketGrad1 = new double[n];
    }

    private double eval(double[] x, double t, double[] d, double[] grad) {
      for (int i = 0; i < x.length; i++) {
        point[i] = x[i] + t * d[i];
      }
      evaluations++;
      return f.evaluate(point, grad);
    }

    /** Sets value, step, gradient (at x + step·d) and evaluations. */
    void search(double[] x, double t, double[] d, double f0, double[] g0, double gtd0) {
      evaluations = 0;
      double dNorm = maxAbs(d);
      double fNew = eval(x, t, d, newGrad);
      double gtdNew = dot(newGrad, d);
      double tPrev = 0;
      double fPrev = f0;
      double gtdPrev = gtd0;
      System.arraycopy(g0, 0, prevGrad, 0, g0.length);
      int lsIter = 0;
      // Bracket [b0, b1] of step, value, directional derivative and gradient; which end is the
      // lower one (lo) is decided in the zoom.
      double[] b = new double[2];
      double[] bf = new double[2];
      double[] bgtd = new double[2];
      double[][] bg = {bracketGrad0, bracketGrad1};
      boolean done = false;
      boolean single = false;
      while (lsIter < MAX_LINE_SEARCH) {
        if (fNew > f0 + C1 * t * gtd0 || (lsIter > 1 && fNew >= fPrev)) {
          setBracket(b, bf, bgtd, bg, tPrev, fPrev, gtdPrev, prevGrad, t, fNew, gtdNew, newGrad);
          break;
        }
        if (Math.abs(gtdNew) <= -C2 * gtd0) {
          single = true;
          done = true;
          break;
        }
        if (gtdNew >= 0) {
          setBracket(b, bf, bgtd, bg, tPrev, fPrev, gtdPrev, prevGrad, t, fNew, gtdNew, newGrad);
          break;
        }
        double minStep = t + 0.01 * (t - tPrev);
        double maxStep = t * 10;
        double tmp = t;
        t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
        tPrev = tmp;
        fPrev = fNew;
        gtdPrev = gtdNew;
        System.arraycopy(newGrad, 0, prevGrad, 0, newGrad.length);
        fNew = eval(x, t, d, newGrad);
        gtdNew = dot(newGrad, d);
        lsIter++;
      }
      if (single) {
        finish(t, fNew, newGrad);
        return;
      }
      if (lsIter == MAX_LINE_SEARCH) {
        // No bracket found within the budget: accept the last trial point (as torch does).
        finish(t, fNew, newGrad);
        return;
      }
      int lo = bf[0] <= bf[1] ? 0 : 1;
      int hi = 1 - lo;
      boolean insufficientProgress = false;
      while (!done && lsIter < MAX_LINE_SEARCH) {
        if (Math.abs(b[1] - b[0]) * dNorm < changeTolerance) {
          break;
        }
        double bMax = Math.max(b[0], b[1]);
        double bMin = Math.min(b[0], b[1]);
        t = cubicInterpolate(b[0], bf[0], bgtd[0], b[1], bf[1], bgtd[1], bMin, bMax);
        double eps = 0.1 * (bMax - bMin);
        if (Math.min(bMax - t, t - bMin) < eps) {
          if (insufficientProgress || t >= bMax || t <= bMin) {
            t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
            insufficientProgress = false;
          } else {
            insufficientProgress = true;
          }
        } else {
          insufficientProgress = false;
        }
        fNew = eval(x, t, d, newGrad);
        gtdNew = dot(newGrad, d);
        lsIter++;
        if (fNew > f0 + C1 * t * gtd0 || fNew >= bf[lo]) {
          b[hi] = t;
          bf[hi] = fNew;
          bgtd[hi] = gtdNew;
          System.arraycopy(newGrad, 0, bg[hi], 0, newGrad.length);
          lo = bf[0] <= bf[1] ? 0 : 1;
          hi = 1 - lo;
        } else {
          if (Math.abs(gtdNew) <= -C2 * gtd0) {
            done = true;
          } else if (gtdNew * (b[hi] - b[lo]) >= 0) {
            b[hi] = b[lo];
            bf[hi] = bf[lo];
            bgtd[hi] = bgtd[lo];
            System.arraycopy(bg[lo], 0, bg[hi], 0, newGrad.length);
          }
          b[lo] = t;
          bf[lo] = fNew;
          bgtd[lo] = gtdNew;
          System.arraycopy(newGrad, 0, bg[lo], 0, newGrad.length);
        }
      }
      finish(b[lo], bf[lo], bg[lo]);
    }

    private void finish(double t, double f, double[] g) {
      step = t;
      value = f;
      gradient = g;
    }

    private void setBracket(double[] b, double[] bf, double[] bgtd, double[][] bg, double t0,
        double f0, double gtd0, double[] g0, double t1, double f1, double gtd1, double[] g1) {
      b[0] = t0;
      bf[0] = f0;
      bgtd[0] = gtd0;
      System.arraycopy(g0, 0, bg[0], 0, g0.length);
      b[1] = t1;
      bf[1] = f1;
      bgtd[1] = gtd1;
      System.arraycopy(g1, 0, bg[1], 0, g1.length);
    }
  }

  /**
   * Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to [lo, hi]; the
   * midpoint of [lo, hi] when the cubic has no minimum.
   */
  static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2,
      double lo, double hi) {
    double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
    double d2Square = d1 * d1 - g1 * g2;
    if (d2Square >= 0) {
      double d2 = Math.sqrt(d2Square);
      double minPos = x1 <= x2
          ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
          : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
      if (Double.isNaN(minPos)) {
        return (lo + hi) / 2;
      }
      return Math.min(Math.max(minPos, lo), hi);
    }
    return (lo + hi) / 2;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static double maxAbs(double[] a) {
    double m = 0;
    for (double v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static double sumAbs(double[] a) {
    double m = 0;
    for (double v : a) {
      m += Math.abs(v);
    }
    return m;
  }
}
