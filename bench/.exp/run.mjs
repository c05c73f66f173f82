const { main } = await import('./cli.js')
process.exitCode = await main(process.argv)
