// Starts the real demo server (`rapport demo serve`) in a child process and waits until it
// answers, the way a person would run `npm run demo`.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { BIN, ROOT } from "./cli";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface DemoServer {
  url: string;
  output: () => string;
  stop(): Promise<void>;
  /** kill -9: no shutdown, as in a crash. */
  kill(): Promise<void>;
}

export async function startDemoServer(args: string[], env: Record<string, string>, timeoutMs = 150_000): Promise<DemoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [BIN, "demo", "serve", "--port", String(port), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "development", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = `http://localhost:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the demo server exited early (code ${child.exitCode}):\n${output}`);
    if (output.includes("Rapport demo is ready")) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the demo server did not become ready in ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
