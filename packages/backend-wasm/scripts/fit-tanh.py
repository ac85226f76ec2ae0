#!/usr/bin/python3
"""Fits the rational tanh of assembly/kernels.ts (vtanh): tanh(x) ~ x*P(x^2)/Q(x^2) on [0, 9],
P and Q of degree 4 in x^2, Q(0) = 1, minimising the largest relative error. Linearised least squares
(x*P - t*(Q - 1) = t, scaled by 1/(t*Q) from the previous pass) with Lawson's reweighting towards the
minimax solution; x^2 is scaled to [0, 1] while fitting. Prints the coefficients (constant term first)
and the largest relative error in f64 and with f32 Horner evaluation.

    /usr/bin/python3 packages/backend-wasm/scripts/fit-tanh.py     (numpy from Debian's python3-numpy)
"""
import numpy as np

C = 9.0  # beyond it tanh(x) rounds to 1 in f32; the kernel clamps |x| there
DP, DQ = 4, 4


def fit(x, t, iters=60):
    u = (x / C) ** 2
    w = np.ones_like(x)
    q_prev = np.ones_like(x)
    best = None
    for _ in range(iters):
        a = np.hstack([np.stack([x * u**i for i in range(DP + 1)], 1), np.stack([-t * u**j for j in range(1, DQ + 1)], 1)])
        scale = np.sqrt(w) / (t * q_prev)
        sol, *_ = np.linalg.lstsq(a * scale[:, None], t * scale, rcond=None)
        p, q = sol[: DP + 1], np.concatenate([[1.0], sol[DP + 1 :]])
        pu = sum(p[i] * u**i for i in range(DP + 1))
        qu = sum(q[j] * u**j for j in range(DQ + 1))
        err = np.abs(x * pu / qu - t) / t
        if best is None or err.max() < best[0]:
            best = (err.max(), p.copy(), q.copy())
        w = w * err
        w = w / w.sum() * len(w)
        q_prev = qu
    e, p, q = best
    # Back to powers of s = x^2.
    return e, [p[i] / C ** (2 * i) for i in range(DP + 1)], [q[j] / C ** (2 * j) for j in range(DQ + 1)]


def f32_eval(p, q, x):
    xf = x.astype(np.float32)
    s = xf * xf
    pp, qq = np.float32(p[-1]), np.float32(q[-1])
    for c in p[-2::-1]:
        pp = (pp * s + np.float32(c)).astype(np.float32)
    for c in q[-2::-1]:
        qq = (qq * s + np.float32(c)).astype(np.float32)
    return np.minimum((xf * pp) / qq, np.float32(1.0))


def main():
    x = np.concatenate([np.linspace(1e-4, C, 300001), np.geomspace(1e-7, 1e-4, 3000)])
    t = np.tanh(x)
    e, p, q = fit(x, t)
    e32 = (np.abs(f32_eval(p, q, x).astype(np.float64) - t) / t).max()
    print("P:", ", ".join(f"{c:.9e}" for c in p))
    print("Q:", ", ".join(f"{c:.9e}" for c in q))
    print(f"largest relative error: {e:.3g} (f64), {e32:.3g} (f32 Horner)")


if __name__ == "__main__":
    main()
