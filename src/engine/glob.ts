// Shell-style wildcards, as Ansible takes them in host patterns and tags: `*` any run of
// characters, `?` any one; everything else stands for itself.

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern)
}

/** The whole-string regular expression for `pattern`. */
export function globRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${body}$`)
}
