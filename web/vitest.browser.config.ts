import { defineConfig } from 'vitest/config';

// Browser tests: Debian's Chromium driven by playwright-core against a running server
// (the mock by default; QE_SERVER_URL or QE_SERVER_CMD for the real one).
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/browser/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // What the page shows can take seconds on a loaded 2-core machine (the two browser passes run
    // side by side, a build beside them): expect.poll waits up to 15 s unless a test says less.
    expect: { poll: { timeout: 15_000 } },
    fileParallelism: false,
    // One Chromium at a time: the machines that run this have few cores.
    maxWorkers: 1,
    minWorkers: 1,
  },
});
