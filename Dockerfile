# Production image: the API and the built web client. PostgreSQL comes from DATABASE_URL.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data SKIP_CLIENT_BUILD=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
EXPOSE 3000
VOLUME ["/data"]
CMD ["npx", "tsx", "server/main.ts"]
