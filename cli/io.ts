// What a CLI command may touch: its arguments, two output streams and a working directory.
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  cwd: process.cwd(),
};

/** A mistake in how the command was called: printed as a sentence, exit code 2. */
export class UsageError extends Error {}

export function parseIntegerFlag(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min} (got "${value}").`);
  }
  return Number(value);
}

export function parseDateFlag(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`--${name} must be a date written YYYY-MM-DD (got "${value}").`);
  }
  return date;
}
