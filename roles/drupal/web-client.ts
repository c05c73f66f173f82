// A browser, as small as Drupal's forms need: one web server's address, the site's host
// name in the Host header, session cookies kept, forms submitted with their hidden fields
// (form_build_id, form_token) as a person's browser would. Drupal 7 is asked through
// ?q=PATH (no clean URLs needed), Drupal 10 through /PATH.
import { httpRequest } from '../../src/sdk.ts'

export interface Page {
  status: number
  body: string
  location?: string
}

export type FormValue = string | { content: Buffer; name: string; type: string }

export class DrupalClient {
  private readonly cookies = new Map<string, string>()

  constructor(
    /** http://ADDRESS[:PORT] of one server (or the VIP). */
    readonly base: string,
    readonly host: string,
    readonly major: 7 | 10,
    readonly timeoutMs = 15_000,
  ) {}

  url(path: string): string {
    const p = path.replace(/^\//, '')
    return this.major === 7 ? `${this.base}/?q=${p}` : `${this.base}/${p}`
  }

  get(path: string): Promise<Page> {
    return this.send('GET', this.url(path))
  }

  /** A path as it is (a file's URL path, with its query), not a Drupal route. */
  getRaw(pathAndQuery: string): Promise<Page> {
    return this.send('GET', this.base + pathAndQuery)
  }

  /** Fills the form `formId` found on `path` and submits it the way the page says (multipart when it has a file). */
  async submit(path: string, formId: string, values: Record<string, FormValue>): Promise<Page> {
    const page = await this.get(path)
    if (page.status !== 200) throw new Error(`${path}: HTTP ${page.status}`)
    const form = findForm(page.body, formId)
    if (!form) throw new Error(`${path}: no form ${formId} on the page (HTTP ${page.status})`)
    const fields = { ...form.hidden, ...values }
    const action = form.action.startsWith('http') ? form.action : this.base + form.action.replace(/&amp;/g, '&')
    return this.send('POST', action, multipart(fields))
  }

  /** Logs in through the login form; true when Drupal answered with a redirect and a session cookie. */
  async login(name: string, pass: string): Promise<boolean> {
    const formId = this.major === 7 ? 'user_login' : 'user_login_form'
    const r = await this.submit('user/login', formId, { name, pass, op: 'Log in' })
    return (r.status === 302 || r.status === 303) && [...this.cookies.keys()].some((k) => /^S?SESS/.test(k))
  }

  private async send(method: string, url: string, body?: { type: string; data: Buffer }): Promise<Page> {
    const headers: Record<string, string> = { host: this.host }
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (body) Object.assign(headers, { 'content-type': body.type, 'content-length': String(body.data.length) })
    const res = await httpRequest(url, { method, headers, body: body?.data, timeoutMs: this.timeoutMs })
    for (const c of res.headers['set-cookie'] ?? []) {
      const [pair] = c.split(';')
      const eq = pair.indexOf('=')
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    return { status: res.status, body: res.body, location: res.headers.location }
  }
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1]
const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#039;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** The form whose form_id is `formId`: its action and hidden fields. */
export function findForm(html: string, formId: string): { action: string; hidden: Record<string, string> } | undefined {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)) {
    const hidden: Record<string, string> = {}
    for (const input of m[0].matchAll(/<input\b[^>]*>/g))
      if (attr(input[0], 'type') === 'hidden') {
        const name = attr(input[0], 'name')
        if (name) hidden[unescape(name)] = unescape(attr(input[0], 'value') ?? '')
      }
    if (hidden.form_id === formId)
      return { action: unescape(attr(/<form\b[^>]*>/.exec(m[0])![0], 'action') ?? ''), hidden }
  }
  return undefined
}

/** multipart/form-data for the fields (a file field carries its content). */
function multipart(fields: Record<string, FormValue>): { type: string; data: Buffer } {
  const boundary = `halab${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  for (const [name, v] of Object.entries(fields)) {
    const head =
      typeof v === 'string'
        ? `content-disposition: form-data; name="${name}"\r\n\r\n`
        : `content-disposition: form-data; name="${name}"; filename="${v.name}"\r\ncontent-type: ${v.type}\r\n\r\n`
    parts.push(Buffer.from(`--${boundary}\r\n${head}`), typeof v === 'string' ? Buffer.from(v) : v.content)
    parts.push(Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { type: `multipart/form-data; boundary=${boundary}`, data: Buffer.concat(parts) }
}
