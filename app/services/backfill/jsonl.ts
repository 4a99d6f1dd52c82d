// Streams a bulk operation's JSONL (never held whole): the body's bytes cut into lines,
// nested-connection lines (`__parentId`) gathered back under their object. The backfill asks
// for grouped output, so an object's children follow it: an object is complete when the next
// top-level line starts.
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/** Where a child line goes in its parent, by the child's object type. */
const CHILD_FIELD: Record<string, string> = {
  LineItem: "lineItems",
  ProductVariant: "variants",
  RefundLineItem: "refundLineItems",
};

export interface JsonlObject {
  object: Record<string, unknown>;
  /** The line of the object itself (1-based). */
  line: number;
  /** Lines read from the start of the file through this object's last child. */
  lineEnd: number;
  /** The line each nested-connection child came from (a line item, a variant…); empty with `keepText` (reread to get it). */
  childLines: Map<object, number>;
  /** The object's lines as read (with `keepText`): enough to read it again (rereadBulkObject). */
  texts?: string[];
}

/** A line of the bulk file that is not what the export promises: says which line. */
export class BulkLineError extends Error {}

const NEWLINE = 0x0a;

/**
 * The complete lines of each chunk of the body (a line cut between chunks waits for the next).
 * Cut on the bytes, each line decoded on its own: a "\n" byte is never inside a UTF-8 sequence,
 * and a line of ASCII stays a one-byte string, which JSON.parse reads faster than the two-byte
 * string a whole chunk becomes as soon as one accented name is in it. Synchronous within a chunk:
 * one await per network chunk rather than per line. Invalid UTF-8 becomes U+FFFD, as with
 * TextDecoder; a "\r" before "\n" stays on the line (JSON.parse reads it as whitespace).
 */
async function* linesOf(body: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<string[]> {
  let rest: Buffer | null = null;
  let first = true;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    let bytes: Buffer = rest ? Buffer.concat([rest, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (first && bytes.length >= 3) {
      // A byte order mark is not part of the first line (TextDecoder dropped it too).
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      first = false;
    }
    const lines: string[] = [];
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      lines.push(bytes.toString("utf8", start, end));
      start = end + 1;
    }
    // A copy of the cut line: the chunk's memory is not kept for it.
    rest = start < bytes.length ? Buffer.from(bytes.subarray(start)) : null;
    yield lines;
    // A turn of the event loop per chunk: when the download is ahead, the next chunk is already
    // buffered and reading it never leaves the microtask queue, so the database's answers to the
    // batch being written (socket events) would wait until the buffer runs dry, and the writer
    // with them: the two stages would take turns instead of overlapping.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (rest) yield [rest.toString("utf8")];
}

/** "gid://shopify/LineItem/5" → "LineItem" (mapper's gidType, without a regular expression per line). */
function typeOf(id: unknown): string {
  if (typeof id !== "string" || !id.startsWith("gid://shopify/")) return "";
  const end = id.indexOf("/", 14);
  return end > 14 ? id.slice(14, end) : "";
}

/** Gathers a grouped file's lines into objects, one line at a time (shared by the reader and rereadBulkObject). */
class Grouper {
  private current: JsonlObject | null = null;
  // Ids inside the current object that children may hang from (the object, its refunds…).
  private parents = new Map<string, Record<string, unknown>>();

  constructor(private readonly keepText: boolean) {}

  /** Adds line `lineNo`; returns the previous object when this line starts a new one. */
  push(text: string, lineNo: number): JsonlObject | null {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new BulkLineError(`bulk JSONL line ${lineNo}: not JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BulkLineError(`bulk JSONL line ${lineNo}: not a JSON object`);
    const parentId = value.__parentId as string | undefined;
    if (parentId === undefined) {
      const done = this.end(lineNo - 1);
      this.current = { object: value, line: lineNo, lineEnd: lineNo, childLines: new Map(), texts: this.keepText ? [text] : undefined };
      this.parents = new Map([[value.id as string, value]]);
      for (const refund of (value.refunds as Array<Record<string, unknown>> | undefined) ?? []) this.parents.set(refund.id as string, refund);
      return done;
    }
    const parent = this.parents.get(parentId);
    if (!parent || !this.current)
      throw new BulkLineError(`bulk JSONL line ${lineNo}: parent ${parentId} is not the object being read (was the export grouped?)`);
    delete value.__parentId;
    if (this.current.texts) this.current.texts.push(text);
    else this.current.childLines.set(value, lineNo);
    const field = CHILD_FIELD[typeOf(value.id)] ?? "children";
    ((parent[field] as unknown[] | undefined) ?? (parent[field] = [])).push(value);
    return null;
  }

  /** A blank line inside the object being read: kept with its text so that rereading numbers the lines alike. */
  blank(text: string) {
    this.current?.texts?.push(text);
  }

  /** The object being read, complete through line `lineEnd`. */
  end(lineEnd: number): JsonlObject | null {
    const done = this.current;
    if (done) done.lineEnd = lineEnd;
    this.current = null;
    return done;
  }
}

/**
 * Top-level objects of a grouped bulk JSONL, skipping the first `skipLines` lines (a checkpoint
 * is always at an object boundary). `keepText`: each object also carries its lines' text, so a
 * caller can drop the parsed object early and read it again only if it needs it.
 */
export async function* readBulkObjects(
  body: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>,
  skipLines = 0,
  options: { keepText?: boolean } = {},
): AsyncGenerator<JsonlObject> {
  const grouper = new Grouper(options.keepText ?? false);
  let lineNo = 0;
  for await (const chunk of linesOf(body))
    for (const line of chunk) {
      lineNo++;
      if (lineNo <= skipLines) continue;
      if (!line.trim()) {
        grouper.blank(line);
        continue;
      }
      const done = grouper.push(line, lineNo);
      if (done) yield done;
    }
  const last = grouper.end(lineNo);
  if (last) yield last;
}

/** An object read again from the lines readBulkObjects kept (`texts`, starting at line `line`). */
export function rereadBulkObject(texts: string[], line: number): JsonlObject {
  const grouper = new Grouper(false);
  texts.forEach((text, i) => {
    if (text.trim()) grouper.push(text, line + i);
  });
  return grouper.end(line + texts.length - 1)!;
}
