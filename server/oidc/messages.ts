// What a refused organisation login tells the person, in Dutch (B1) first and English second. The
// callback is a top-level page the provider sent the browser to, so it answers with a small page of
// its own; API clients get the error shape with the Dutch sentence.
import { escapeHtml } from '../content/escape';
import type { OidcRefusalCode } from './login';

export const REFUSAL_MESSAGES: Record<OidcRefusalCode, { nl: string; en: string }> = {
  state_invalid: {
    nl: 'Deze inlogpoging is niet geldig of verlopen. Begin opnieuw op de inlogpagina.',
    en: 'This login attempt is not valid or has expired. Start again on the login page.',
  },
  code_invalid: {
    nl: 'De inlogcode van je organisatie is verlopen of al gebruikt. Log opnieuw in.',
    en: 'The login code from your organisation has expired or was already used. Log in again.',
  },
  nonce_mismatch: {
    nl: 'Het antwoord van je organisatie hoort niet bij deze inlogpoging. Log opnieuw in.',
    en: 'The answer from your organisation does not belong to this login attempt. Log in again.',
  },
  issuer_mismatch: {
    nl: 'Het antwoord kwam van een andere inlogdienst dan die van je organisatie. Je bent niet ingelogd.',
    en: 'The answer came from another login service than your organisation’s. You are not logged in.',
  },
  id_token_invalid: {
    nl: 'Het antwoord van je organisatie kon niet worden gecontroleerd. Je bent niet ingelogd.',
    en: 'The answer from your organisation could not be verified. You are not logged in.',
  },
  provider_refused: {
    nl: 'Je organisatie heeft het inloggen afgebroken of geweigerd.',
    en: 'Your organisation cancelled or refused the login.',
  },
  provider_unreachable: {
    nl: 'De inlogdienst van je organisatie is nu niet bereikbaar. Probeer het later nog eens.',
    en: 'Your organisation’s login service cannot be reached now. Try again later.',
  },
  email_missing: {
    nl: 'Je organisatie gaf geen e-mailadres door. Vraag je beheerder om dat toe te staan.',
    en: 'Your organisation did not pass on an e-mail address. Ask your administrator to allow this.',
  },
  domain_not_allowed: {
    nl: 'Met dit e-mailadres kun je niet inloggen via deze organisatie. Gebruik het adres van je werk, of log in met je wachtwoord.',
    en: 'You cannot log in through this organisation with this e-mail address. Use your work address, or log in with your password.',
  },
  email_unverified_in_use: {
    nl: 'Er is al een account met dit e-mailadres, maar je organisatie bevestigt niet dat het adres van jou is. Log in met je wachtwoord en koppel je organisatie daarna bij Instellingen.',
    en: 'An account with this e-mail address exists, but your organisation does not confirm the address is yours. Log in with your password and link your organisation in Settings.',
  },
  identity_linked_elsewhere: {
    nl: 'Dit account van je organisatie is al gekoppeld aan een ander Plein-account.',
    en: 'This organisation account is already linked to another Plein account.',
  },
};

/** The page a refused callback shows (status 400, 403 or 409; 502 when the provider is down). */
export function refusalPage(code: OidcRefusalCode): string {
  const m = REFUSAL_MESSAGES[code];
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Inloggen niet gelukt – Plein</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}a{color:#154273}</style></head>
<body><main><h1>Inloggen niet gelukt</h1><p id="oidc-error" data-code="${escapeHtml(code)}">${escapeHtml(m.nl)}</p>
<p lang="en">${escapeHtml(m.en)}</p><p><a href="/inloggen">Terug naar inloggen</a></p></main></body></html>`;
}
