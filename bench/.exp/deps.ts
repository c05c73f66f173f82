import 'commander'; import 'yaml'; import 'dotenv'; import 'ejs'; import 'ssh2'; import 'diff'; import 'zod'
