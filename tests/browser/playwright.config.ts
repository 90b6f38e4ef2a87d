// Playwright for the console's browser tests: Debian's chromium (no browser download), one
// worker (the tests share one local stack), artifacts (screenshots, traces of failures) under
// BROWSER_ARTIFACTS, which CI keeps.
import { defineConfig } from '@playwright/test';

const artifacts = process.env.BROWSER_ARTIFACTS ?? 'artifacts';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: `${artifacts}/results`,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    // The stack's throwaway CA is not in the browser's store; the TLS is real all the same.
    ignoreHTTPSErrors: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
