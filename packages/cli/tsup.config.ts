import { tsupConfig } from '../../tools/tsup.base.ts';

// Two bundles: the library entry (with types) and the `rnnkit` bin (no types needed).
export default tsupConfig({ entry: ['src/index.ts', 'src/cli.ts'], dts: { entry: ['src/index.ts'] } });
