// Large id lists and inserts go in slices: one statement per slice keeps parameters and
// statement sizes bounded on PGlite and PostgreSQL alike.
export const CHUNK = 5000;

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
