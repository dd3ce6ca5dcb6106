import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Reference generation runs PyTorch; model tests run whole ResNets on 2 cores.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    // One fork at a time: each test file already uses every core through libtorch.
    pool: 'forks',
    // --expose-gc lets the memory tests check that forgotten tensors are freed.
    poolOptions: { forks: { singleFork: true, execArgv: ['--expose-gc'] } },
  },
});
