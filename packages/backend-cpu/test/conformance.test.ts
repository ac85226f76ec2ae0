import { describeBackendConformance } from '@rnnkit/testing';
import { createCpuBackend } from '../src/index.js';

// The reference backend checked against another instance of itself: proves the kit's expectations
// (empty tensors, strided views, NaN/Inf, leak checks) hold for the oracle in f32 and f64.
describeBackendConformance({ name: 'backend-cpu', create: () => createCpuBackend(), reference: () => createCpuBackend() });

// An f32-only configuration is compared with the f64 reference under the f32 tolerance.
describeBackendConformance({ name: 'backend-cpu (f32 only)', create: () => createCpuBackend({ dtypes: ['f32'] }), reference: () => createCpuBackend() });
