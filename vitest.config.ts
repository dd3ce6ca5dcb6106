import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global_setup.ts'],
    // Tight defaults, so a hang costs seconds: the slow tests (whole ResNets, training runs,
    // PyTorch reference generation, npm pack) each carry their own explicit timeout.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One fork at a time: each test file already uses every core through libtorch.
    pool: 'forks',
    // --expose-gc lets the memory tests check that forgotten tensors are freed.
    poolOptions: { forks: { singleFork: true, execArgv: ['--expose-gc'] } },
  },
});
