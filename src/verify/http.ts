// A bounded HTTP request from the controller to a cluster address (a VIP or a node). The bound
// is generous: a real-kernel lab guest on a busy 2-core machine took over 2 s to answer a
// PHP page through the VIP (fork+exec there is 30-50 ms, several times that under load).
import { type IncomingHttpHeaders, request } from 'node:http'

export interface HttpRequest {
  method?: string
  /** `host` may name a virtual host (`{ host: 'drupal.ha' }`) on a node's own address. */
  headers?: Record<string, string>
  body?: Buffer
  timeoutMs?: number
}

export interface HttpResponse {
  status: number
  body: string
  headers: IncomingHttpHeaders
}

/** One request on its own connection (no keep-alive, no agent); the whole answer, read as UTF-8. */
export function httpRequest(url: string, r: HttpRequest = {}): Promise<HttpResponse> {
  const timeoutMs = r.timeoutMs ?? 10_000
  return new Promise((resolve, reject) => {
    const headers = { connection: 'close', ...r.headers }
    const req = request(url, { method: r.method ?? 'GET', timeout: timeoutMs, agent: false, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      )
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(r.body)
  })
}

/** A GET: status and body (`headers` as httpRequest's). */
export function httpGet(url: string, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return httpRequest(url, { timeoutMs, headers })
}

/** The node an identity page names (`<strong id="node">NAME</strong>`), if any. */
export function servingNode(body: string): string | undefined {
  return /id="node">([^<]+)</.exec(body)?.[1]
}
