import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml as Compose reads it (no Docker engine or `docker compose` here to run `config`).
interface Service {
  environment?: Record<string, string>;
  ports?: (string | { published?: string | number; target?: string | number })[];
  healthcheck?: { test?: string[] | string };
}

const text = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
const compose = parse(text) as { services: Record<string, Service> };
const app = compose.services['app']!;

/** The container ports a service publishes on the host ("4000:4000", "127.0.0.1:4000:4000/tcp" or long syntax). */
function publishedTargets(service: Service): string[] {
  return (service.ports ?? []).map((port) => (typeof port === 'string' ? port.split(':').at(-1)!.split('/')[0]! : String(port.target)));
}

describe('docker-compose.yml', () => {
  it('has no fallback JWT secret: Compose refuses to start without JWT_SECRET and says how to make one', () => {
    expect(app.environment?.['JWT_SECRET']).toMatch(/^\$\{JWT_SECRET:\?set JWT_SECRET [^}]+\}$/);
    // Nowhere else either (another service, an anchor, a default through an .env-style fallback).
    expect(text).not.toMatch(/JWT_SECRET:?-/);
  });

  it('checks health on /ready', () => {
    const test = app.healthcheck?.test;
    expect([test].flat().join(' ')).toContain('/ready');
  });

  it('serves /metrics on a port of its own that no service publishes', () => {
    const metricsPort = app.environment?.['METRICS_PORT'];
    expect(metricsPort).toMatch(/^\d+$/);
    expect(metricsPort).not.toBe(app.environment?.['PORT']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(publishedTargets(service), `ports of ${name}`).not.toContain(metricsPort);
    }
    expect(publishedTargets(app)).toEqual([app.environment?.['PORT']]);
    expect(compose.services['db']?.ports).toBeUndefined();
  });
});
