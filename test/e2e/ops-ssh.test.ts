// The operations end to end over SSH: the very same tests as ops-local.test.ts, with a
// real sshd on loopback between the engine and the files.
process.env.HALAB_OPS_TRANSPORT = 'ssh'
await import('./ops-local.test.ts')
