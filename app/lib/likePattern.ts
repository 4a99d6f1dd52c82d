/**
 * `text` as a literal inside a LIKE / ILIKE pattern: `%`, `_` and the escape character itself
 * (PostgreSQL's default, a backslash) are escaped. Prisma's `contains` and `mode: "insensitive"`
 * filters become ILIKE patterns without this (prisma/prisma#10810): "50%" would match "5000".
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
