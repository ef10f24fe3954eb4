# DVMM API. Runs TypeScript directly with tsx (as `npm start` does locally); needs DATABASE_URL at run time.
FROM node:20-slim

ENV NODE_ENV=production \
    PORT=4000
WORKDIR /app

# Dependencies first, so code changes do not invalidate this layer.
COPY package.json package-lock.json ./
# npm ci's postinstall patches postgres.js (see the script).
COPY src/db/patch-postgres.mjs ./src/db/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY drizzle ./drizzle
COPY src ./src

USER node
EXPOSE 4000
# node itself as the main process (not npm -> sh -> tsx): SIGTERM from `docker compose stop` must reach the
# server for a graceful shutdown, and npm/sh do not pass it on.
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "src/main.ts"]
