// A SCRAM-SHA-256 verifier computed on the controller, in the form PostgreSQL stores
// (RFC 7677, PostgreSQL's scram_build_secret): `ALTER ROLE … PASSWORD '<verifier>'` is
// stored as given, so the password itself never reaches the server, its logs, or
// pg_stat_activity. PostgreSQL runs SASLprep on the password; NFKC is that for every
// password without prohibited characters (ASCII passwords are unchanged).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  const [stored, server] = [storedKey.toString('base64'), serverKey.toString('base64')]
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${stored}:${server}`
}
