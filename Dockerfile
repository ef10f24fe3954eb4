# DVMM API image: compiled JavaScript (npm run build) on Node 24 LTS, production dependencies only, no embedded
# Postgres (it is a dev dependency); needs DATABASE_URL and JWT_SECRET (or JWT_JWKS_URL) at run time.
# test/e2e/build.test.ts builds and starts what the build and runtime stages copy, with this CMD.

# Compiles src/ to dist/ and builds the portal (web/) into web/dist (typescript and vite are dev dependencies, so this
# stage installs them all).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: compiling needs none, and the postgres.js patch matters only where it runs (deps stage).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build

# Production dependencies, with postgres.js patched by npm's postinstall (patch-package, a production dependency for
# this reason, applies patches/; patches/README.md says why each change is there).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS runtime
# tini as PID 1: it passes SIGTERM (docker stop, a pod's termination) to node and reaps any zombie; node itself runs
# as its child, so the server's SIGTERM handler shuts it down in order.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=4000 \
    METRICS_PORT=9464
WORKDIR /app
# package.json says "type": "module", which the compiled files need; drizzle/ holds the migrations applied on start
# (and read by /ready); schema.graphql is for `node dist/cli.js schema:check`.
COPY package.json ./
COPY drizzle ./drizzle
COPY schema.graphql ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The portal, served at / (src/http/portal/): static files only, the server needs none of its sources.
COPY --from=build /app/web/dist ./web/dist
USER node
# 4000: the API (/graphql, /health, /ready); 9464: /metrics alone, for a scraper on the internal network.
EXPOSE 4000 9464
# /ready: the database answers, migrations are applied, no projection this instance leads is stalled.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The production Node flags (src/production-flags.ts), and stack traces that name src/*.ts lines.
CMD ["node", "--enable-source-maps", "--max-semi-space-size=64", "dist/main.js"]
