#!/usr/bin/env bash
# The whole suite again on Node 24 LTS, in a clean copy of the checkout (no node_modules,
# no dist), so that the install (native modules built for Node 24's ABI) is proven too.
# .ci/run calls it after the Node 20 run with the engines' SENDBAY_TEST_* variables
# exported; it can also be run alone with those variables set, and with test-file name
# fragments as arguments to run only those files (after the type check), as
# scripts/run-tests.mjs takes them.
set -euo pipefail
cd "$(dirname "$0")/.."

# The npm registry's `node` package: its preinstall fetches node-<platform>-<arch> of the
# same version, which holds the binary and Node's headers (include/node). Pinned exactly,
# to the last 24.x whose headers better-sqlite3 12 builds against safely: from 24.19.0 on,
# node_object_wrap.h registers an environment cleanup hook per object, and a Statement
# collected by the garbage collector then aborts the process ("Assertion failed: (env) !=
# nullptr" in RemoveEnvironmentCleanupHook; nodejs/node#65446). better-sqlite3 13 leaves
# ObjectWrap but needs Node 22, and the project still supports Node 20.
node24_version=24.18.1

workdir=$(mktemp -d /tmp/sendbay-ci-node24.XXXXXX)
trap 'rm -rf "$workdir"' EXIT

start=$SECONDS
npm install --prefix "$workdir/node" --no-audit --no-fund --no-save "node@$node24_version" >/dev/null
node24_bin=$workdir/node/node_modules/node/bin
platform_arch=$("$node24_bin/node" -p 'process.platform + "-" + process.arch')
node24_home=$workdir/node/node_modules/node/node_modules/node-$platform_arch
test -f "$node24_home/include/node/node.h" || {
  echo "node@$node24_version ships no headers at $node24_home/include/node" >&2
  exit 1
}
export PATH=$node24_bin:$PATH
# node-gyp builds better-sqlite3 (when no prebuilt binary can be fetched) and the sendfile
# addon against these headers: no download, and not the headers of the machine's own Node
# that a user or global npmrc may name with nodedir.
export npm_config_nodedir=$node24_home
echo "Node for this run: $(node --version) ($(command -v node)), headers in $npm_config_nodedir"

# What git would check out: tracked files plus new ones not ignored (a run on an
# uncommitted change tests that change); never node_modules, dist or build output.
copy=$workdir/sendbay
mkdir "$copy"
git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -cf - -T - | tar -xf - -C "$copy"
cd "$copy"

npm ci --no-audit --no-fund
# Both native modules must load on Node 24: a silent fallback would hide an ABI problem.
node --input-type=module -e "
  const { default: Database } = await import('better-sqlite3');
  new Database(':memory:').prepare('select 1').get();
  const { sendfile } = await import('@sendbay/sendfile');
  if (!sendfile) { console.error('the sendfile addon did not build for', process.version); process.exit(1); }
  console.log('better-sqlite3 and the sendfile addon load on', process.version);
"
echo "Node $node24_version installed and the project built for it ($((SECONDS - start)) s)"

npm test -- "$@"
echo "Suite on Node $node24_version: $((SECONDS - start)) s in all"
