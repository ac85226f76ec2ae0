import { defineConfig } from 'vitest/config';

// Every folder under packages/ is a vitest project; each one's vitest.config.ts
// calls tools/vitest.project.ts. Run one with `pnpm exec vitest run --project <name>`.
export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
});
