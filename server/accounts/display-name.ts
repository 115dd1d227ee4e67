// Display names people cannot use to pass for someone else: normalised once, compared by their
// Unicode TS #39 confusable skeleton (the table is unicode.org's confusables.txt, via unhomoglyph).
import unhomoglyph from 'unhomoglyph';

// Default-ignorable and bidi-control code points: invisible, or reordering what is shown.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
const COMBINING = /\p{M}/gu;

/** The name as stored: NFKC, invisible and bidi-control characters removed, whitespace collapsed and trimmed. */
export function normaliseDisplayName(raw: string): string {
  return raw.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
}

/**
 * Names that differ only by case, accents, look-alike letters or invisible characters share a
 * skeleton: TS #39 (NFD, confusable mapping, NFD) with case and accents folded as well.
 */
export function displayNameSkeleton(raw: string): string {
  const folded = normaliseDisplayName(raw).normalize('NFD').replace(COMBINING, '').toLowerCase();
  return unhomoglyph(folded).normalize('NFD').replace(COMBINING, '').toLowerCase().replace(/\s+/gu, ' ');
}

/** Names of the system and of roles: nobody may take them (nor look-alikes). */
export const RESERVED_DISPLAY_NAMES = ['Verwijderd account', 'Deleted account', 'Plein', 'Beheer', 'Beheerder', 'Admin', 'Administrator', 'Moderator', 'Moderatie', 'Systeem', 'System'];
const reserved = new Set(RESERVED_DISPLAY_NAMES.map(displayNameSkeleton));

export const isReservedDisplayName = (name: string): boolean => reserved.has(displayNameSkeleton(name));
