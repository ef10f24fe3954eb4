import type { Principal } from '../domain/principal.ts';

/** The demo tenant: one admin, one user. Their tokens are printed by `npm start` and `npm run cli -- seed`. */
export const DEMO_TENANT = 'acme';

export const demoAdmin: Principal = {
  tenantId: DEMO_TENANT,
  userId: 'bob',
  roles: ['admin'],
  email: 'bob@acme.example',
  name: 'Bob (tenant admin)',
};

export const demoUser: Principal = {
  tenantId: DEMO_TENANT,
  userId: 'alice',
  roles: ['user'],
  email: 'alice@acme.example',
  name: 'Alice',
};
