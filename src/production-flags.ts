/**
 * Node flags the service runs with (`npm start`, `npm run start:prod`, the Dockerfile's CMD and bench/live.ts; a unit
 * test keeps them in step). A 64 MiB young generation (V8's default is 16 MiB) lets the many short-lived objects of
 * each request die young, in fewer scavenges, instead of being copied from one scavenge to the next and promoted.
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
