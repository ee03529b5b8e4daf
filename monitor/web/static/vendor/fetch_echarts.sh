#!/bin/sh
# Vendor Apache ECharts' dist/echarts.min.js from the npm registry (build time only; see README.md).
set -eu
version="${1:?usage: fetch_echarts.sh VERSION (see: npm view echarts version)}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "echarts@$version" --silent >/dev/null && tar xzf "echarts-$version.tgz")
cp "$work/package/dist/echarts.min.js" "$here/echarts.min.js"
cp "$work/package/LICENSE" "$here/echarts.LICENSE"
cp "$work/package/NOTICE" "$here/echarts.NOTICE"
sha256sum "$here/echarts.min.js"
