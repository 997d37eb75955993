# The bot as a container: docker build -t pixverse-discord-bot .   (README: "In a container")
# NODE_VERSION picks the official image's Node line; the bot supports 20.19+ and CI tests 22 and 24.
ARG NODE_VERSION=24

# ---- build: every dependency, the compiler, then dist/ ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# The lockfile alone first, so a source change reuses the installed dependencies' layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies and dist/ only, as the non-root node user ----
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# Native modules (@libsql/client, @napi-rs/canvas) come as prebuilt optional dependencies chosen for
# this platform, so nothing compiles here and no build tools are needed.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The code stays root-owned (the bot cannot change it); only DATA_DIR belongs to node (uid 1000). A new
# named volume takes this directory's owner, so the bot can write its state there.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
# 200 only while the bot is connected to Discord and ready. The slim image has no curl: node asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HEALTH_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, no npm or shell in between: the entrypoint execs node, which handles SIGTERM itself
# (src/process.ts) and exits 0 once interactions under way are finished.
CMD ["node", "--enable-source-maps", "dist/main.js"]
