// @rnnkit/nn: layers (linear, embedding, dropout) and losses, each a small pure function or factory.
export type { Module } from './module.js';
export type { Linear, LinearOptions, LinearParams } from './linear.js';
export { linear } from './linear.js';
export type { Embedding, EmbeddingOptions, EmbeddingParams } from './embedding.js';
export { embedding } from './embedding.js';
export type { DropoutOptions } from './dropout.js';
export { dropout } from './dropout.js';
export type { Reduction } from './reduction.js';
export type { SoftmaxCrossEntropyOptions } from './softmax-cross-entropy.js';
export { softmaxCrossEntropy } from './softmax-cross-entropy.js';
export type { MseOptions } from './mse.js';
export { mse } from './mse.js';
