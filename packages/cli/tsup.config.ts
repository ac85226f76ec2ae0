import { tsupConfig } from '../../tools/tsup.base.ts';

export default tsupConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
