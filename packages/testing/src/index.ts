// @rnnkit/testing: conformance suites and gradient checks, written once against the contract.
export type { Mismatch, Tolerance } from './tolerance.js';
export { CloseAssertionError, expectClose, findMismatch, isClose, maxAbs, tolerances } from './tolerance.js';
export type { GradcheckOptions, GradcheckResult, InputCheck, JvpcheckOptions, TensorFn } from './gradcheck.js';
export { assertGradcheck, assertJvpcheck, gradcheck, jvpcheck } from './gradcheck.js';
export type { BackendConformanceOptions } from './backend-conformance.js';
export { describeBackendConformance } from './backend-conformance.js';
export type { CellConformanceOptions, CellSizes, ExpectedParams } from './cell-conformance.js';
export { describeCellConformance } from './cell-conformance.js';
export type { OptimizerConformanceOptions, OptimizerProblem, RosenbrockProblem } from './optimizer-conformance.js';
export { describeOptimizerConformance } from './optimizer-conformance.js';
