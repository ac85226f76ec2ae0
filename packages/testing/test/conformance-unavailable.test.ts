// A backend that cannot exist here (create returns null) skips the whole suite instead of failing it.
import type { Backend } from '@rnnkit/tensor';
import { describeBackendConformance } from '../src/index.ts';

describeBackendConformance({
  name: 'absent device',
  create: () => null,
  // Never used: every test skips before touching it.
  reference: () => ({ name: 'unused' }) as unknown as Backend,
});
