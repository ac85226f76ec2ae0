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
export type { FixtureArray, FixtureFileOptions } from './fixtures.js';
export { decodeFixtureJson, expectFixtureClose, expectNamedClose, fixtureRow, fixtureRows, fixtureTensor, loadFixtureFile } from './fixtures.js';
export type {
  RnnFixtureBase, RnnFixtureCase, RnnFixtureCell, RnnFixtureEntry, RnnFixtureInputs, RnnFixturePath, RnnFixtureWeights, RnnSequenceFixture,
  RnnTbpttFixture, RnnWindowFixture, TorchRnnParams,
} from './rnn-fixtures.js';
export {
  expectRnnFixtureMatch, loadRnnFixtures, RNN_FIXTURE_NAMES, RNN_FIXTURE_PATH_OPTIONS, rnnFixtureInputs, rnnFixtureLoss, rnnFixtureRuns, torchRnnParam, torchRnnParams,
  torchStateOrder,
} from './rnn-fixtures.js';
