// Playbook, role and role-verify modules compiled ahead of time into halab's bundle (bin/bundle.js),
// by absolute file path, each loaded on first use. Empty when halab runs from its
// TypeScript sources through tsx: the files are then imported themselves.
import { resolve } from 'node:path'

export const precompiled = new Map<string, () => Promise<unknown>>()

/** The module of a playbook or role file: from the bundle when it has it, else imported. */
export async function importModule(file: string, url: string): Promise<unknown> {
  const load = precompiled.get(resolve(file))
  return load ? load() : import(url)
}
