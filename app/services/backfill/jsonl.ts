// Streams a bulk operation's JSONL (never held whole): one line at a time through readline,
// nested-connection lines (`__parentId`) gathered back under their object. The backfill asks
// for grouped output, so an object's children follow it: an object is complete when the next
// top-level line starts.
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { gidType } from "./mapper";

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
  /** The line each nested-connection child came from (a line item, a variant…). */
  childLines: Map<object, number>;
}

/** A line of the bulk file that is not what the export promises: says which line. */
export class BulkLineError extends Error {}

/**
 * The complete lines of each chunk of the body (a line cut between chunks waits for the next).
 * Synchronous within a chunk: one await per network chunk rather than per line (readline's).
 * A "\r" before "\n" stays on the line: JSON.parse reads it as whitespace.
 */
async function* linesOf(body: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder("utf-8");
  let rest = "";
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop()!;
    yield lines;
  }
  rest += decoder.decode();
  if (rest) yield [rest];
}

/**
 * Top-level objects of a grouped bulk JSONL, skipping the first `skipLines` lines (a checkpoint
 * is always at an object boundary).
 */
export async function* readBulkObjects(body: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>, skipLines = 0): AsyncGenerator<JsonlObject> {
  let lineNo = 0;
  let current: Record<string, unknown> | null = null;
  let currentLine = 0;
  let childLines = new Map<object, number>();
  // Ids inside the current object that children may hang from (the object, its refunds…).
  let parents = new Map<string, Record<string, unknown>>();
  for await (const chunk of linesOf(body))
    for (const line of chunk) {
      lineNo++;
      if (lineNo <= skipLines || !line.trim()) continue;
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line) as Record<string, unknown>;
      } catch (error) {
        throw new BulkLineError(`bulk JSONL line ${lineNo}: not JSON (${(error as Error).message})`);
      }
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new BulkLineError(`bulk JSONL line ${lineNo}: not a JSON object`);
      const parentId = value.__parentId as string | undefined;
      if (parentId === undefined) {
        if (current) yield { object: current, line: currentLine, lineEnd: lineNo - 1, childLines };
        current = value;
        currentLine = lineNo;
        childLines = new Map();
        parents = new Map([[value.id as string, value]]);
        for (const refund of (value.refunds as Array<Record<string, unknown>> | undefined) ?? []) parents.set(refund.id as string, refund);
        continue;
      }
      const parent = parents.get(parentId);
      if (!parent) throw new BulkLineError(`bulk JSONL line ${lineNo}: parent ${parentId} is not the object being read (was the export grouped?)`);
      delete value.__parentId;
      childLines.set(value, lineNo);
      const field = CHILD_FIELD[gidType(String(value.id))] ?? "children";
      ((parent[field] as unknown[] | undefined) ?? (parent[field] = [])).push(value);
    }
  if (current) yield { object: current, line: currentLine, lineEnd: lineNo, childLines };
}
