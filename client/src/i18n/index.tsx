import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { type Messages, nl } from './nl';

export type Locale = 'nl' | 'en';
// Dutch is in the first download; English (the second language) loads when it is chosen, so
// every visitor does not pay for both catalogs. Until it is there, texts fall back to Dutch.
const catalogs: Partial<Record<Locale, Messages>> = { nl };

/** Makes sure the catalog of `locale` is loaded (English is a separate chunk). */
export async function loadCatalog(locale: Locale): Promise<void> {
  if (!catalogs[locale] && locale === 'en') catalogs.en = (await import('./en')).en;
}

type Vars = Record<string, string | number>;

/** The BCP 47 tag for Intl formatters: Dutch as in the Netherlands, English as in Britain. */
export const localeTag = (locale: Locale): string => (locale === 'nl' ? 'nl-NL' : 'en-GB');

/** Minimal ICU: `{name}` and `{count, plural, one {…} other {…}}` with `#` for the number. */
export function format(template: string, vars: Vars = {}, locale: Locale = 'nl'): string {
  const plural = /\{(\w+), plural, one \{([^}]*)\} other \{([^}]*)\}\}/g;
  const rules = new Intl.PluralRules(locale);
  return template
    .replace(plural, (_m, name: string, one: string, other: string) => {
      const n = Number(vars[name] ?? 0);
      return (rules.select(n) === 'one' ? one : other).replace(/#/g, n.toLocaleString(localeTag(locale)));
    })
    .replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name] ?? ''));
}

function lookup(messages: Messages, key: string): string {
  const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
  return typeof value === 'string' ? value : key;
}

interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: string, vars?: Vars): string;
}

const I18nContext = createContext<I18n | null>(null);

export function initialLocale(): Locale {
  const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('plein.locale') : null;
  return stored === 'en' ? 'en' : 'nl';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem('plein.locale', next);
    void loadCatalog(next).then(() => {
      document.documentElement.lang = next;
      setLocaleState(next);
    });
  }, []);
  const value = useMemo<I18n>(
    () => ({ locale, setLocale, t: (key, vars) => format(lookup(catalogs[locale] ?? nl, key), vars, locale) }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
