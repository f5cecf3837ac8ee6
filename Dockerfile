# syntax=docker/dockerfile:1
# Node 24, the Active LTS, in every stage (package.json's engines: 20.10+, 22, 24).
# Build stage: full dependencies, compile TypeScript to dist/ and the playground's GraphiQL
# assets to dist/graphiql/ from npm packages (the same `npm run build` CI runs).
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

# Production dependencies only (better-sqlite3 compiles natively here, not in the runtime image).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
# Outside a container the gateway listens on 127.0.0.1; here the port is published, so every interface.
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
# dist/ holds the compiled gateway and dist/graphiql/, the playground's assets (served offline).
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node mapping ./mapping
# The SDL is read at start (src/graphql/schema.ts resolves ../../schema from dist/graphql/).
COPY --chown=node:node schema ./schema
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
