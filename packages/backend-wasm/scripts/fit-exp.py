#!/usr/bin/python3
"""Fits the polynomial of the sigmoid's exp in assembly/kernels.ts (vsigmoid): e^r ~ 1 + r + c2*r^2 +
... + c6*r^6 on |r| <= ln(2)/2 (what is left of -|x| after taking out n*ln 2), minimising
the largest relative error by least squares with Lawson's reweighting. The constant and linear
terms stay 1, so small r loses nothing. The kernel evaluates the same polynomial at -r, for
exp(-r) = 1 + r*(r*u(r) - 1) with u(r) = c2 - c3*r + c4*r^2 - c5*r^3 + c6*r^4 (no negations needed).
Prints c2..c6 and the largest relative error in f64 and in that f32 evaluation.

    /usr/bin/python3 packages/backend-wasm/scripts/fit-exp.py     (numpy from Debian's python3-numpy)
"""
import numpy as np

R = np.log(2.0) / 2


def fit(r, iters=80):
    t = np.exp(r)
    rhs = t - 1 - r
    a = np.stack([r**k for k in range(2, 7)], 1)
    w = np.ones_like(r)
    best = None
    for _ in range(iters):
        scale = np.sqrt(w) / t
        c, *_ = np.linalg.lstsq(a * scale[:, None], rhs * scale, rcond=None)
        err = np.abs(1 + r + a @ c - t) / t
        if best is None or err.max() < best[0]:
            best = (err.max(), c.copy())
        w = w * err
        w = w / w.sum() * len(w)
    return best


def f32_eval(c, r):
    """exp(-r) in the kernel's order: u by Horner with the odd terms negated, w = r*u - 1, 1 + r*w."""
    rf = r.astype(np.float32)
    c2, c3, c4, c5, c6 = (np.float32(x) for x in c)
    u = (((c6 * rf - c5) * rf + c4) * rf - c3) * rf + c2
    w = (rf * u - np.float32(1)).astype(np.float32)
    return (np.float32(1) + rf * w).astype(np.float32)


def main():
    r = np.linspace(-R, R, 200001)
    e, c = fit(r)
    e32 = (np.abs(f32_eval(c, r).astype(np.float64) - np.exp(-r)) / np.exp(-r)).max()
    print("c2..c6:", ", ".join(f"{x:.9e}" for x in c))
    print(f"largest relative error: {e:.3g} (f64), {e32:.3g} (f32)")


if __name__ == "__main__":
    main()
