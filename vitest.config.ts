import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Two projects: `unit` (pure code, no I/O beyond fixture files) and `integration`
// (real databases, real HTTP, real Chromium). Integration tests run once per database
// backend; see tests/helpers/db.ts.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    env: { TZ: "UTC" },
    // The machine has 2 cores; integration tests also share one PostgreSQL server.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        plugins: [tsconfigPaths()],
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          environment: "node",
          env: { TZ: "UTC" },
          // A guard against hangs, not a speed limit: the fits on 30,000–40,000 simulated
          // customers take seconds when both cores are busy.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [tsconfigPaths()],
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/helpers/global-setup.ts"],
          environment: "node",
          env: { TZ: "UTC" },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
