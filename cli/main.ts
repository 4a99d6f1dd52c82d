// `rapport <command>`: a thin dispatcher. Each command parses its flags and calls services or
// domain code; errors reach the user as sentences with a non-zero exit code.
import { processIO, UsageError, type CliIO } from "./io";

type Command = (argv: string[], io: CliIO) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  db: { summary: "db migrate | db migration <name> | db drift", load: async () => (await import("./commands/db")).run },
  demo: { summary: "demo seed [--customers N --orders N --seed S] | demo serve", load: async () => (await import("./commands/demo")).run },
  serve: { summary: "serve: the production server (migrations, then HTTP)", load: async () => (await import("./commands/serve")).run },
  kpis: { summary: "kpis --shop DOMAIN --from YYYY-MM-DD --to YYYY-MM-DD [--json]", load: async () => (await import("./commands/kpis")).run },
  worker: { summary: "worker [--once]: apply webhook events from the inbox", load: async () => (await import("./commands/worker")).run },
  webhooks: { summary: "webhooks [--status dead] | webhooks retry [--id N]", load: async () => (await import("./commands/webhooks")).run },
  webhook: { summary: "webhook send --topic T --file F | webhook replay DIR", load: async () => (await import("./commands/webhook")).run },
  stats: { summary: "stats --shop DOMAIN [--json]", load: async () => (await import("./commands/stats")).run },
  analyze: { summary: "analyze --shop DOMAIN [--json] [--now YYYY-MM-DD]", load: async () => (await import("./commands/analyze")).run },
  rfm: {
    summary: "rfm --orders FILE --analysis-date YYYY-MM-DD [--labels en|fr] [--out FILE]",
    load: async () => (await import("./commands/rfm")).run,
  },
  recommend: {
    summary: "recommend --baskets FILE --queries FILE [--k 10] [--out FILE]",
    load: async () => (await import("./commands/recommend")).run,
  },
  clv: { summary: "clv --transactions FILE --calibration-end YYYY-MM-DD [--out FILE]", load: async () => (await import("./commands/clv")).run },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    "Usage: rapport <command> [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `rapport <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`rapport ${name}: ${error.message}`);
      return 2;
    }
    // Loaded only on failure: env.server pulls in the database drivers, which the CSV
    // commands never need (start-up time of the compiled CLI).
    const { EnvError } = await import("../app/lib/env.server");
    if (error instanceof EnvError) {
      io.stderr(error.message);
      return 1;
    }
    if (error instanceof Error && (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      io.stderr(`rapport ${name}: ${error.message}. Run \`rapport ${name} --help\`.`);
      return 2;
    }
    io.stderr(`rapport ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
