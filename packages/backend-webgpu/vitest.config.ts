// Dawn (the `webgpu` package) reads VK_ICD_FILENAMES through the C getenv when it creates its
// instance. Set here, in vitest's main process, it reaches every pool (threads included); set in
// `test.env` it would not reach worker threads. SwiftShader ships with Debian's chromium package.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;

import { rnnkitProject } from '../../tools/vitest.project.ts';

// SwiftShader runs WGSL on the CPU: ~2 ms a dispatch, so the conformance matrix needs room.
export default rnnkitProject('backend-webgpu', { test: { testTimeout: 120_000, hookTimeout: 60_000 } });
