// The newest-wins rule of the sync service: a payload older than what is stored changes nothing.

/**
 * Newest wins: apply a payload unless what is stored is strictly newer. Equal timestamps are
 * re-applied (a duplicate delivery rewrites the same values).
 */
export function isStale(stored: Date | null | undefined, incoming: Date | null | undefined): boolean {
  if (!stored || !incoming) return false;
  return incoming.getTime() < stored.getTime();
}

/** Keeps the newest payload per id (a batch may carry the same object twice). */
export function newestById<T extends { id: string }>(items: T[], updatedAt: (item: T) => Date | null | undefined): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const current = byId.get(item.id);
    if (!current || !isStale(updatedAt(current), updatedAt(item))) byId.set(item.id, item);
  }
  return [...byId.values()];
}
