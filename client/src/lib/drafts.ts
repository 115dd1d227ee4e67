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

/** Removes the keys of this browser's storage that `matches` picks. */
function removeKeys(matches: (key: string) => boolean): void {
  const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)).filter((k): k is string => k !== null && matches(k));
  for (const key of keys) localStorage.removeItem(key);
}

/** Removes every draft in this browser (at logout), also those kept before drafts were per user. */
export const clearAllDrafts = (): void => removeKeys((key) => key.startsWith(PREFIX));

/** Drafts kept before they were per user (plein.draft.reply.<id>, plein.draft.thread.<slug>) belong to nobody we know. */
export const dropUnownedDrafts = (): void => removeKeys((key) => /^plein\.draft\.(reply|thread)\./.test(key));

/** What a draft holds besides its text: the quoted post and the uploads, kept with the same owner and place. */
export interface DraftExtras {
  quotePostId?: string | null;
  attachments?: Array<import('../../../shared/schemas/attachments').Attachment>;
}

const extrasKey = (key: string) => `${key}.extras`;

export function readDraftExtras(key: string): DraftExtras {
  try {
    const value = JSON.parse(localStorage.getItem(extrasKey(key)) ?? '{}') as DraftExtras;
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

export function writeDraftExtras(key: string, extras: DraftExtras): void {
  if (extras.quotePostId || extras.attachments?.length) localStorage.setItem(extrasKey(key), JSON.stringify(extras));
  else localStorage.removeItem(extrasKey(key));
}
