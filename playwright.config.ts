import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright's own browser download is not available on every machine.
const executablePath = process.env.FERRY_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    ...(executablePath ? { executablePath } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  },
};
/** Specs that measure speed: `*.alone.web.spec.ts`. */
const ALONE = /e2e\/.*\.alone\.web\.spec\.ts$/;

export default defineConfig({
  // The browser suite (test/e2e) and the attacks that need a real browser (test/security).
  testDir: 'test',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  // One retry in CI: a 2-core runner under load can miss a timing window once; twice is a failure.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1360, height: 860 },
  },
  projects: [
    { name: 'web', testMatch: /(e2e|security)\/.*\.web\.spec\.ts$/, testIgnore: ALONE, use: chromium },
    // Checks of how fast the window is (long tasks while a job streams) run after every other web
    // test, with nothing beside them: a second worker's browser would take the CPU they measure.
    { name: 'web-alone', testMatch: ALONE, dependencies: ['web'], use: chromium },
    { name: 'electron', testMatch: /(e2e|security)\/.*\.electron\.spec\.ts$/ },
  ],
});
