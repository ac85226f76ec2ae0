// The contract: small interfaces every other package depends on, and the ops written once above them.
export type { DType, TypedArray, TypedArrayFor } from './dtype.js';
export { DTYPES, allocate, bytesPerElement, dtypeOfArray, isFloat, toTypedArray } from './dtype.js';
export { RnnkitError, fail, fmtShape } from './errors.js';
export type { Shape } from './shape.js';
export { broadcastShapes, contiguousStrides, normAxes, normAxis, sameShape, sizeOf } from './shape.js';
export type {
  AdamStepArgs, AdamStepResult, ArithmeticOp, CrossEntropyArgs, CrossEntropyBackwardArgs, CrossEntropyResult, MatmulBiasArgs, Backend, BackendStats, BinaryOp, Capabilities, CompareOp, FusedKernels, Handle, Kernels, ReduceOp,
  SequenceArgs, SequenceBackward, SequenceForward, SequenceGrads, SequenceOptions, UnaryOp, View,
} from './backend.js';
export { ARITHMETIC_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS } from './backend.js';
export { Tensor, sameBackend } from './tensor.js';
export type { HostHandle, HostMemoryOptions } from './host-memory.js';
export { HostMemory, stridedOffsets } from './host-memory.js';
export { checkAdamStepArgs, hostAdamStep } from './host-adam.js';
export { checkMatmulBiasArgs } from './matmul-bias.js';
export {
  checkCrossEntropyArgs, checkCrossEntropyBackwardArgs, crossEntropyTarget, hostCrossEntropy, hostCrossEntropyBackward,
} from './host-cross-entropy.js';
export { keep, scope, tensorsIn, unscoped } from './scope.js';
export type { CustomAttrs, Equation, Primitive, PrimitiveAttrs, Tracer } from './trace.js';
export { activeTracers, outsideTracer, record, untraced, withTracer } from './trace.js';
export { arange, full, fullLike, ones, onesLike, scalar, tensor, zeros, zerosLike } from './ops/create.js';
export type { Operand } from './ops/elementwise.js';
export {
  abs, add, binary, div, eq, exp, ge, gt, isFinite, le, log, lt, maximum, minimum, mul, ne, neg, pow, sigmoid, sign, sqrt,
  square, sub, tanh, unary, where,
} from './ops/elementwise.js';
export type { Axes } from './ops/reduce.js';
export { argMax, max, mean, min, reduce, sum } from './ops/reduce.js';
export { matmul } from './ops/matmul.js';
export { copy, expand, narrow, permute, reshape, select, slice, squeeze, transpose, unsqueeze } from './ops/view.js';
export { concat, split, stack } from './ops/join.js';
export { gather, oneHot, scatterAdd } from './ops/indexing.js';
export { cast } from './ops/cast.js';
export { clamp, logSoftmax, logSumExp, relu, softmax } from './ops/activation.js';
export { toBackend } from './ops/transfer.js';
export type { RngState } from './rng.js';
export { Rng, createRng } from './rng.js';
export type { InitOptions } from './init.js';
export { normal, orthogonal, uniform } from './init.js';
export type { ParamTree, Tree, TreeOf } from './param-tree.js';
export { treeDispose, treeFlatten, treeLeaves, treeMap, treeZip } from './param-tree.js';
export type { Cell, CellState, Probe, SequenceKernel, StateGradEvent, StepEvent, StepResult, StepTap, Transform } from './contracts.js';
