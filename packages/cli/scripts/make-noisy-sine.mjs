// Writes data/noisy-sine.csv: two sines (periods 50 and 17 steps) plus Gaussian noise (σ 0.2),
// 2,000 rows, from a fixed seed. Run: node scripts/make-noisy-sine.mjs
import { writeFileSync } from 'node:fs';

let s = 0x2545f491;
const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const rows = ['value'];
for (let t = 0; t < 2000; t++) {
  const v = Math.sin((2 * Math.PI * t) / 50) + 0.5 * Math.sin((2 * Math.PI * t) / 17) + 0.2 * gauss();
  rows.push(v.toFixed(5));
}
writeFileSync(new URL('../data/noisy-sine.csv', import.meta.url), `${rows.join('\n')}\n`);
