# Shared by setup, start and stop: where the private INN lives and how to act as root/news.
# Sourced, not run. Environment: INNLAB (instance folder), INNPORT (port on 127.0.0.1).
INNLAB=${INNLAB:-/tmp/tidings-innlab}
INNPORT=${INNPORT:-1190}
# Its Path identity: several labs in one mesh need one each (conformance/mesh_partition.py).
INN_PATHHOST=${INN_PATHHOST:-inn.tidings.test}
INNBIN=/usr/lib/news/bin
INNCONF_FILE="$INNLAB/etc/inn.conf"
# A file that marks a folder as ours: setup only ever wipes a folder that has it.
INNLAB_MARK=.tidings-innlab

die() { echo "conformance/inn: $*" >&2; exit 1; }
say() { echo "conformance/inn: $*"; }

# Re-runs the calling script as root (via sudo) when needed, keeping INNLAB and INNPORT.
need_root() {
  [ "$(id -u)" = 0 ] && return 0
  command -v sudo >/dev/null 2>&1 || die "needs root (or sudo) to install inn2 and run innd as news"
  exec sudo -n INNLAB="$INNLAB" INNPORT="$INNPORT" INN_PATHHOST="$INN_PATHHOST" CI="${CI:-}" bash "$0" "$@"
}

# Commands as the news user with our inn.conf: innd refuses to run as root.
as_news() { su news -s /bin/sh -c "INNCONF='$INNCONF_FILE' $*" </dev/null; }

# innd's pid when our instance runs, else nothing.
innlab_pid() {
  local pid
  pid=$(cat "$INNLAB/run/innd.pid" 2>/dev/null) || return 0
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
  return 0
}

# Reads the greeting on 127.0.0.1:$INNPORT (bash's /dev/tcp: no python or nc needed).
innlab_greeting() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$INNPORT"; } 2>/dev/null || return 1
  IFS= read -r -t 2 line <&3 || { exec 3>&-; return 1; }
  printf 'QUIT\r\n' >&3 2>/dev/null || true
  exec 3>&- 3<&-
  echo "${line%$'\r'}"
}
