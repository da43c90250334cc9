# Log lines of the project's scripts, sourced by them: `say` on stdout,
# `die` on stderr (and exit 1), each prefixed with "$LOG_NAME:". Bold (and
# errors bold red) only where the stream is a terminal; a log file or CI
# gets plain text, not raw escape sequences.
LOG_NAME=${LOG_NAME:-log}
say() {
  if [ -t 1 ]; then printf '\033[1m%s:\033[0m %s\n' "$LOG_NAME" "$*"; else printf '%s: %s\n' "$LOG_NAME" "$*"; fi
}
die() {
  if [ -t 2 ]; then printf '\033[1;31m%s: %s\033[0m\n' "$LOG_NAME" "$*" >&2; else printf '%s: %s\n' "$LOG_NAME" "$*" >&2; fi
  exit 1
}
