// Which new passwords are refused, and why (in Dutch: the answer is shown as is next to the field).
// Common passwords, names and words come from zxcvbn-ts with its common, Dutch and English lists.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import * as dutch from '@zxcvbn-ts/language-nl-be';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../shared/schemas/accounts';
import { ApiError } from '../http/errors';

let estimator: ZxcvbnFactory | undefined;
// Built on first use: the dictionaries take a few hundred milliseconds to index.
const zxcvbn = () =>
  (estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary, ...dutch.dictionary },
    graphs: common.adjacencyGraphs,
    translations: dutch.translations,
  }));

/**
 * zxcvbn looks at the first 32 characters only: its pattern matching grows steeply with length (a
 * patterned 64-character password took seconds here), and a password whose first 32 characters are
 * not guessable is long and strong anyway.
 */
const CHECKED_LENGTH = 32;

/** zxcvbn's scale: 0 and 1 are guessed within about a million tries (common passwords, names, sequences, repeats). */
const MIN_SCORE = 2;

const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase();

/** Why `password` may not be used by this account, in Dutch; null when it may. */
export function passwordProblem(password: string, account: { email?: string; displayName?: string }): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Kies een wachtwoord van minstens ${PASSWORD_MIN_LENGTH} tekens.`;
  if (length > PASSWORD_MAX_LENGTH) return `Kies een wachtwoord van hoogstens ${PASSWORD_MAX_LENGTH} tekens.`;
  if (password.trim() === '') return 'Een wachtwoord van alleen spaties is niet veilig. Kies een wachtwoord met letters, cijfers of tekens.';
  const given = fold(password);
  const email = account.email ? fold(account.email) : '';
  if (email && (given === email || given === email.split('@')[0])) return 'Je wachtwoord mag niet je e-mailadres zijn.';
  if (account.displayName && given === fold(account.displayName)) return 'Je wachtwoord mag niet je naam zijn.';
  const inputs = [email, email.split('@')[0], account.displayName ?? ''].filter((s) => s.length >= 3);
  const result = zxcvbn().check([...password].slice(0, CHECKED_LENGTH).join(''), inputs);
  if (result.score < MIN_SCORE) {
    const why = result.feedback.warning ?? 'Dit wachtwoord is te makkelijk te raden.';
    return `${why} Kies een langer wachtwoord, bijvoorbeeld een paar losse woorden die niet bij elkaar horen.`;
  }
  return null;
}

/** 400 validation_failed with fields.password when the password may not be used. */
export function requireAcceptablePassword(password: string, account: { email?: string; displayName?: string }): void {
  const problem = passwordProblem(password, account);
  if (problem) throw new ApiError(400, 'validation_failed', problem, { password: problem });
}
