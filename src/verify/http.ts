// A bounded HTTP GET from the controller to a cluster address (a VIP or a node). The bound
// is generous: a real-kernel lab guest on a busy 2-core machine took over 2 s to answer a
// PHP page through the VIP (fork+exec there is 30-50 ms, several times that under load).
import { request } from 'node:http'

/** `headers` may name a virtual host (`{ host: 'drupal.ha' }`) on a node's own address. */
export function httpGet(
  url: string,
  timeoutMs = 10_000,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { timeout: timeoutMs, agent: false, headers: { connection: 'close', ...headers } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** The node an identity page names (`<strong id="node">NAME</strong>`), if any. */
export function servingNode(body: string): string | undefined {
  return /id="node">([^<]+)</.exec(body)?.[1]
}
