// One message catalogue for what people read: the recap, the verify table, errors, the
// listings (--list-hosts, --list-tasks, --list-tags, --syntax-check) and the command line's
// complaints, in English (src/i18n/en.ts) and Spanish (es.ts).
// The language comes from --lang, else from the locale (LC_ALL, LC_MESSAGES, LANG: the
// first one set, as the C library reads them): es_* gives Spanish, anything else English.
// --json output stays English: it is for machines, and its texts must not move.
import { en, type Catalogue } from './i18n/en.js'
import { es } from './i18n/es.js'

export type Lang = 'en' | 'es'
export const LANGS: readonly Lang[] = ['en', 'es']
export const CATALOGUES: Record<Lang, Catalogue> = { en, es }

export type MessageKey = keyof Catalogue
/** The parameters a message takes: none for a plain string. */
export type MessageParams<K extends MessageKey> = Catalogue[K] extends (p: infer P) => string ? [params: P] : []

let current: Lang = 'en'

export function setLang(lang: Lang): void {
  current = lang
}

export function getLang(): Lang {
  return current
}

/** The language a flag (`--lang es`) or, without it, the environment's locale asks for. */
export function detectLang(env: Record<string, string | undefined>, flag?: string): Lang {
  if (flag) return flag.toLowerCase().startsWith('es') ? 'es' : 'en'
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return /^es([_.@-]|$)/i.test(locale) ? 'es' : 'en'
}

/** A message in the current language. */
export function t<K extends MessageKey>(key: K, ...params: MessageParams<K>): string {
  const message = CATALOGUES[current][key] as string | ((p: unknown) => string)
  return typeof message === 'function' ? message(params[0]) : message
}
