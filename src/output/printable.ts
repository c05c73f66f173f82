// Text from hosts (a command's output, a file's content in a diff) is shown, never obeyed:
// control characters that a terminal would act on (escape sequences that move the cursor,
// retitle the window or clear the screen; a lone carriage return that overwrites a line)
// are written out visibly instead, as \xNN. Tabs and newlines stay.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g

export function printable(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
