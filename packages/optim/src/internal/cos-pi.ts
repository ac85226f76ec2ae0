import { add, mul, sub, type Tensor } from '@rnnkit/tensor';

// The contract has no cos primitive, so cosine schedules evaluate one on the device:
// cos(πx) = −sin(π(x − ½)) and the Taylor series of sin on [−π/2, π/2] to y²³ is below 1e-17.
const SIN_COEFFS = Array.from({ length: 12 }, (_, k) => {
  let f = 1;
  for (let i = 2; i <= 2 * k + 1; i++) f *= i;
  return (k % 2 === 0 ? 1 : -1) / f;
});

/** cos(π·x) for a float tensor x in [0, 1] (callers clamp), accurate to f64 rounding. */
export function cosPi(x: Tensor): Tensor {
  const y = mul(sub(x, 0.5), Math.PI);
  const y2 = mul(y, y);
  let acc = mul(y2, SIN_COEFFS[11]!);
  for (let k = 10; k >= 1; k--) acc = mul(add(acc, SIN_COEFFS[k]!), y2);
  return mul(mul(add(acc, 1), y), -1);
}
