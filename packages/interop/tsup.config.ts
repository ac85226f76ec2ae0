import { tsupConfig } from '../../tools/tsup.base.ts';

export default tsupConfig();
