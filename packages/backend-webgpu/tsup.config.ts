import { tsupConfig } from '../../tools/tsup.base.ts';

// Two entries: the browser-safe backend, and ./node, which loads the optional `webgpu` (Dawn) peer.
export default tsupConfig({ entry: ['src/index.ts', 'src/node.ts'] });
