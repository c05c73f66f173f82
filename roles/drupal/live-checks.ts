// The Drupal site, live, through Drupal's own pages: each check one small unit over
// DrupalClient (a server's address or the VIP), returning what it saw or throwing what it
// did not. Content is made the way an editor makes it (the article form, an image
// uploaded with it), never with SQL.
import type { DrupalClient, FormValue } from './web-client.ts'

/** The front page answers 200 with the site name in its title. */
export async function frontPage(c: DrupalClient, siteName: string): Promise<string> {
  const { status, body } = await c.get('')
  const title = /<title>([^<]*)<\/title>/.exec(body)?.[1]
  if (status !== 200 || !title?.includes(siteName))
    throw new Error(
      `HTTP ${status}, title ${JSON.stringify(title ?? null)} (expected the site name ${JSON.stringify(siteName)})`,
    )
  return `HTTP 200, "${title}"`
}

/** The admin logs in through the login form (session cookie), then an admin page answers 200. */
export async function adminLogin(c: DrupalClient, name: string, pass: string): Promise<string> {
  if (!(await c.login(name, pass)))
    throw new Error(`the login form did not accept ${name} (check drupal_admin.password, from .env)`)
  const { status } = await c.get('admin/config')
  if (status !== 200) throw new Error(`logged in, but admin/config answered HTTP ${status}`)
  return `${name} logged in, admin/config HTTP 200`
}

// A 1x1 PNG: the smallest image the article's image field accepts.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

export interface Article {
  /** The node's path, e.g. node/3. */
  path: string
  title: string
  /** The uploaded image's URL path (under the public files directory). */
  image: string
}

/** An article with an image, created through `c`'s article form (logged in as the admin). */
export async function createArticle(c: DrupalClient, title: string): Promise<Article> {
  const d7 = c.major === 7
  const file = `halab-${Date.now()}.png`
  const image = { content: PNG, name: file, type: 'image/png' }
  const values: Record<string, FormValue> = d7
    ? { title, 'body[und][0][value]': title, 'files[field_image_und_0]': image, status: '1', op: 'Save' }
    : {
        'title[0][value]': title,
        'body[0][value]': title,
        'files[field_image_0]': image,
        'field_image[0][alt]': title,
        'status[value]': '1',
        op: 'Save',
      }
  const r = await c.submit('node/add/article', d7 ? 'article_node_form' : 'node_article_form', values)
  const path = /[/=](node\/\d+)$/.exec(decodeURIComponent(r.location ?? ''))?.[1]
  if (r.status < 300 || r.status > 303 || !path)
    throw new Error(`the article form answered HTTP ${r.status} without sending to the new node`)
  const page = await c.get(path)
  const src = new RegExp(`src="([^"]*${file.replace('.png', '')}[^"]*)"`).exec(page.body)?.[1]
  if (!src) throw new Error(`${path} shows no image ${file}`)
  // The page shows an image style's copy (made on request): ask for the uploaded file itself.
  const shown = new URL(src.replace(/&amp;/g, '&'), c.base).pathname
  return { path, title, image: shown.replace(/\/styles\/[^/]+\/public\/(.*?)(\.webp)?$/, '/$1') }
}

/** `c` (another server) serves the article: one database. */
export async function servesArticle(c: DrupalClient, a: Article): Promise<string> {
  const page = await c.get(a.path)
  if (page.status !== 200 || !page.body.includes(a.title))
    throw new Error(`${a.path}: HTTP ${page.status}${page.status === 200 ? `, without "${a.title}"` : ''}`)
  return `${a.path} "${a.title}" (HTTP 200)`
}

/** `c` (another server) serves the article's image: one public files directory. */
export async function servesImage(c: DrupalClient, a: Article): Promise<string> {
  const image = await c.getRaw(a.image)
  if (image.status !== 200) throw new Error(`the image ${a.image}: HTTP ${image.status}`)
  return `${a.image} (HTTP 200, ${image.body.length} bytes)`
}
