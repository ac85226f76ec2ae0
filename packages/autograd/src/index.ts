// Reverse and forward mode over ParamTrees, with one rule per primitive in one table.
export type { ValueAndGrad } from './value-and-grad.js';
export { grad, valueAndGrad, valueAndGradWithAux } from './value-and-grad.js';
export type { VjpResult } from './vjp.js';
export { vjp } from './vjp.js';
export { jvp } from './jvp.js';
export type { CustomForward, CustomRules } from './custom.js';
export { checkpoint, customVjp, stopGradient } from './custom.js';
export { affine } from './affine.js';
export type { Rule } from './rules.js';
export { rules } from './rules.js';
export { Tape } from './tape.js';
