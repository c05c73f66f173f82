// The secrets corpus: shapes a secret from .env can take, and a line of ordinary words
// that contain the short ones. Shared by test/unit/secrets.test.ts and bench/reliability.ts.

/** 36 shapes: quotes, backslashes, $, &<>, unicode, 1–3 characters, substrings of words. */
export const SECRET_CORPUS: string[] = [
  'a',
  'Z9',
  'x_y',
  'root',
  'pass',
  'ing',
  'the',
  'adm',
  "it's",
  'say "hi"',
  'back\\slash',
  '\\\\double',
  '$HOME',
  '${PATH}',
  '$(id)',
  '`id`',
  'a&b<c>',
  '&amp;',
  '<script>',
  'ñandú€日本',
  'Ωmega-σ',
  'tab\there',
  '100%',
  '%s%d',
  'semi;colon',
  'pipe|bar',
  'sp ace',
  "'",
  '"',
  '\\',
  'q\'"\\$`',
  'https://u:p@h/x?y=1&z=2',
  'sixteen-chars-ok',
  'Zx9!kQ2#vL0@pR7*',
  'a'.repeat(64),
  'emoji-🔐-key',
]

// Words that hold a short secret inside them (root, pass, ing, the, adm, a, x_y…).
export const ORDINARY = 'rooted chroot passwd passing thermal theory admin administrator bypass string max_yield 100%s'
