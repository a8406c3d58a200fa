# Shared by the .ci/ensure-*.sh scripts (sourced, not run).

# apt_install PACKAGE...: installs Debian packages, quietly and without recommends, running
# `apt-get update` first; as root, or through password-less sudo. On failure prints apt-get's
# output and exits the calling script with 1, naming it. The packages' own service start is not
# wanted (the tests run their servers themselves); in containers policy-rc.d usually forbids it anyway.
apt_install() {
  local script sudo=() log
  script=$(basename "$0" .sh)
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$script: apt-get not found; install $* by other means (the tests that need them are skipped without them)" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo -n)
    else
      echo "$script: need root to install $*" >&2
      exit 1
    fi
  fi
  echo "$script: installing $*" >&2
  log=$(mktemp)
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$script: apt-get failed" >&2
    exit 1
  fi
  rm -f "$log"
}
