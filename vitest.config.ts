import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Many tests start processes (tsc, the CLI, the generator) or real servers; on a loaded 2-core machine the
    // 5 s default is near what they take, so a slow moment would fail them. No test proves anything by its timeout.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
