import { rnnkitProject } from '../../tools/vitest.project.ts';

// The global setup compiles assembly/ into src/generated/ first when the sources are newer.
export default rnnkitProject('backend-wasm', { test: { globalSetup: ['./test/global-setup.ts'] } });
