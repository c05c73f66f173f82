// What a run reports, as data. Renderers (listr2, plain lines, JSON) only listen.
import type { FileDiff, TaskStatus } from './types.js'

export type EngineEvent =
  | {
      type: 'run-start'
      hosts: string[]
      check: boolean
      plays: { name: string; hosts: Record<string, { role: string; tasks: string[] }[]> }[]
    }
  | { type: 'host-connected'; host: string; ms: number }
  | { type: 'host-unreachable'; host: string; error: string }
  /** `hosts`: the play's hosts still in the run (none: the play has nothing to do here). */
  | { type: 'play-start'; play: string; index: number; hosts: string[] }
  | { type: 'play-end'; play: string; index: number; ms: number }
  | { type: 'role-start'; host: string; role: string }
  | { type: 'task-start'; host: string; role: string; task: string; handler?: boolean }
  | {
      type: 'task-end'
      host: string
      role: string
      task: string
      handler?: boolean
      status: TaskStatus
      changes: string[]
      diffs?: FileDiff[]
      reason?: string
      error?: string
      warnings?: string[]
      /** With -vv (RunMode.commands): the commands the task ran to change the host, and their results. */
      commands?: CommandRecord[]
      ms: number
    }
  | { type: 'role-end'; host: string; role: string }
  | { type: 'host-note'; host: string; note: string }
  | { type: 'host-end'; host: string; status: 'ok' | 'failed' | 'unreachable' }
  | { type: 'run-end'; ms: number; recap: Recap }

export interface CommandRecord {
  /** As error messages show it (a heredoc's content left out); secrets are masked on output. */
  command: string
  code: number | null
  stdout: string
  stderr: string
}

export interface HostRecap {
  ok: number
  changed: number
  failed: number
  skipped: number
  unreachable: number
  notes: string[]
}

export type Recap = Record<string, HostRecap>

export type Emit = (event: EngineEvent) => void
