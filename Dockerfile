# MDW API / worker image (docker-compose.yml builds it for both).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.json
# The staff console (web/dist), served by the API at /app (src/api/web-console.ts finds it beside dist/src).
RUN npx tsx scripts/build-web.ts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./dist/web/dist
COPY db ./db
USER node
