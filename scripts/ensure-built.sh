#!/bin/sh
# package.json's prestart, also run by `npm run sandbox` and `npm run deploy-commands`.
# A checkout with the dev dependencies builds (incremental: a second or two when nothing changed), so
# `npm ci && npm start` works on a fresh clone. A production install (`npm ci --omit=dev`) has no
# compiler: it runs the dist/ that is there, and says how to make one when there is none.
set -e
if [ -x node_modules/.bin/tsc ]; then
  exec npm run -s build
fi
if [ ! -f dist/main.js ]; then
  echo 'dist/main.js is missing, and this install has no TypeScript compiler (npm ci --omit=dev leaves it out).' >&2
  echo 'Build once with the dev dependencies: npm ci && npm run build && npm prune --omit=dev' >&2
  exit 1
fi
