// The domain says what to tell the merchant as a translation key and numbers; the UI and the
// CLI turn it into text in the reader's language (app/i18n).

export interface MessageRef<K extends string = string> {
  /** A key of the messages in app/i18n/messages/. */
  key: K;
  params: Record<string, string | number>;
}

// Text form for storage in text columns (Analysis.confidenceNotes): "@key {json params}".
// Plain sentences stored before keys existed stay readable: they do not start with "@".
const PREFIX = "@";

export function encodeMessageRef(ref: MessageRef): string {
  return `${PREFIX}${ref.key} ${JSON.stringify(ref.params)}`;
}

/** The reference a stored note encodes, or null for a plain sentence. */
export function decodeMessageRef(text: string): MessageRef | null {
  const match = /^@([\w.]+) (\{.*\})$/s.exec(text);
  if (!match) return null;
  try {
    const params = JSON.parse(match[2]) as unknown;
    if (params === null || typeof params !== "object" || Array.isArray(params)) return null;
    return { key: match[1], params: params as Record<string, string | number> };
  } catch {
    return null;
  }
}
