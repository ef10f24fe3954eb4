import type { Database } from '../db/index.ts';
import { createEventStore } from '../event-store/index.ts';
import { seedDemo } from './seed.ts';
import { demoAdmin, demoUser } from './users.ts';

/**
 * `npm run cli -- seed`: the demo tenant, whether or not the database is empty (every command is idempotent).
 * Tokens for the demo users: `npm run token -- --sub alice --tenant acme` and `--sub bob --tenant acme --role admin`.
 */
export async function seedCommand(db: Database): Promise<number> {
  const store = createEventStore(db.sql);
  const result = await seedDemo(store);
  await store.flush();
  console.log(
    `${result.created ? 'seeded' : 'already there:'} tenant ${demoAdmin.tenantId}, projects ${result.projectIds.join(', ')}, ` +
      `VM request ${result.vmRequestId}`,
  );
  console.log(`tokens: npm run token -- --sub ${demoUser.userId} --tenant ${demoUser.tenantId} --header`);
  console.log(`        npm run token -- --sub ${demoAdmin.userId} --tenant ${demoAdmin.tenantId} --role admin --header`);
  return 0;
}
