// Unsent text is kept in this browser per user, so the next person on a shared computer never finds
// someone else's reply in their editor; logging out clears it.
const PREFIX = 'plein.draft.';

/** The storage key of one draft: whose it is, and where it will be posted. */
export const draftKey = (userId: string, where: string): string => `${PREFIX}${userId}.${where}`;

export const readDraft = (key: string): string => localStorage.getItem(key) ?? '';

export function writeDraft(key: string, text: string): void {
  if (text) localStorage.setItem(key, text);
  else localStorage.removeItem(key);
}

/** Removes every draft in this browser (at logout), also those kept before drafts were per user. */
export function clearAllDrafts(): void {
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(PREFIX)) keys.push(key);
  }
  for (const key of keys) localStorage.removeItem(key);
}

/** Drafts kept before they were per user (plein.draft.reply.<id>, plein.draft.thread.<slug>) belong to nobody we know. */
export function dropUnownedDrafts(): void {
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key && /^plein\.draft\.(reply|thread)\./.test(key)) keys.push(key);
  }
  for (const key of keys) localStorage.removeItem(key);
}
