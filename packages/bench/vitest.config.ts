import { rnnkitProject } from '../../tools/vitest.project.ts';

export default rnnkitProject('bench');
