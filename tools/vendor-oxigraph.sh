#!/bin/sh
# Refresh the vendored Oxigraph WebAssembly build (src/mwg_graph/web/static/vendor/oxigraph/) from the
# pinned npm package. Run by hand when changing the version; nothing at build, test or run time
# needs npm or the network. The package ships no licence files, so LICENSE-MIT (from the Oxigraph
# repository) and LICENSE-APACHE (the Apache-2.0 text) are kept in the folder and not refreshed.
set -eu
VERSION=0.5.11
HERE=$(cd "$(dirname "$0")/.." && pwd)
DEST="$HERE/src/mwg_graph/web/static/vendor/oxigraph"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack "oxigraph@$VERSION" --silent >/dev/null && tar xzf "oxigraph-$VERSION.tgz")
cp "$WORK/package/web.js" "$WORK/package/web_bg.wasm" "$DEST/"
(cd "$DEST" && sha256sum web.js web_bg.wasm > SHA256SUMS)
echo "oxigraph $VERSION vendored into $DEST:"; cat "$DEST/SHA256SUMS"
