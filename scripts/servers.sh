#!/usr/bin/env bash
# Installs the real servers the tests and `padlock servers` use, from the distribution's packages, when missing:
# Redis 7 (redis-server), ZooKeeper 3.8 (zookeeper), Curator 5.4's jars and a JDK for the `zk-curator` bench (javac,
# libcurator-*-java, which pull in guava and slf4j), etcd 3.4 (etcd-server, etcd-client), PostgreSQL 15 (postgresql),
# Chromium for the HTML-report test, and clang + zlib1g-dev for the Native AOT publish tests; plus the unprivileged user 'padlock-pg' that runs PostgreSQL when the tests
# run as root (initdb refuses root). Idempotent: does nothing when all are present.
#   scripts/servers.sh install   install what is missing
#   scripts/servers.sh check     exit 1 and list what is missing
set -euo pipefail

missing() {
  local out=()
  command -v redis-server >/dev/null || out+=(redis-server)
  command -v redis-cli >/dev/null || out+=(redis-tools)
  [ -f /usr/share/java/zookeeper.jar ] || out+=(zookeeper)
  command -v java >/dev/null || out+=(default-jre-headless)
  command -v javac >/dev/null || out+=(default-jdk-headless)
  [ -f /usr/share/java/curator-recipes.jar ] || out+=(libcurator-recipes-java)
  [ -f /usr/share/java/curator-framework.jar ] || out+=(libcurator-framework-java)
  [ -f /usr/share/java/curator-client.jar ] || out+=(libcurator-client-java)
  [ -f /usr/share/java/slf4j-nop.jar ] || out+=(libslf4j-java)
  command -v etcd >/dev/null || out+=(etcd-server)
  command -v etcdctl >/dev/null || out+=(etcd-client)
  command -v chromium >/dev/null || out+=(chromium)
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || out+=(postgresql)
  command -v clang >/dev/null || out+=(clang)
  [ -f /usr/include/zlib.h ] || out+=(zlib1g-dev)
  echo "${out[@]:-}"
}

# PostgreSQL's initdb and server refuse to run as root: the fixtures run them as this user when they are root.
ensure_pg_user() {
  if [ "$(id -u)" -eq 0 ] && ! id padlock-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin padlock-pg
  fi
}

case "${1:-install}" in
  check)
    m=$(missing)
    if [ -n "$m" ]; then echo "missing: $m"; exit 1; fi
    echo "all servers installed"
    ;;
  install)
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    ensure_pg_user
    m=$(missing)
    if [ -z "$m" ]; then exit 0; fi
    echo "installing: $m"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $m >/dev/null
    # The Debian packages start system-wide services; the tests start their own on free ports, so stop those.
    for svc in redis-server zookeeper etcd postgresql; do $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; done
    m=$(missing)
    if [ -n "$m" ]; then echo "still missing after install: $m" >&2; exit 1; fi
    ;;
  *)
    echo "usage: scripts/servers.sh install|check" >&2; exit 2 ;;
esac
