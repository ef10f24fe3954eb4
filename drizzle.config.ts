import { defineConfig } from 'drizzle-kit';

// Table files are named *.table.ts and import only from drizzle-orm, so drizzle-kit can load them on its own.
// Custom SQL (triggers, functions): `npx drizzle-kit generate --custom --name <name>`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/**/*.table.ts',
  out: './drizzle',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  },
});
