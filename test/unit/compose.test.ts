import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml and docker-compose.scale.yml as Compose reads them (no Docker engine or `docker compose` here to
// run them; Debian's docker-compose 1.29 `config` accepts both, the scale file without its top-level `name`).
interface Service {
  image?: string;
  build?: unknown;
  entrypoint?: string[] | string;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: (string | { published?: string | number; target?: string | number })[];
  healthcheck?: { test?: string[] | string };
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition?: string }>;
  volumes?: string[];
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

describe('docker-compose.scale.yml', () => {
  const scaleText = readFileSync(new URL('../../docker-compose.scale.yml', import.meta.url), 'utf8');
  const scale = parse(scaleText) as { name?: string; services: Record<string, Service>; volumes?: Record<string, unknown> };
  const { app: scaledApp, db, lb } = scale.services as Record<string, Service>;
  const replica = scale.services['db-replica']!;
  const repoFile = (path: string) => new URL(`../../${path.replace(/^\.\//, '')}`, import.meta.url);
  /** Host path of the bind mount whose container path is `target`. */
  const mountSource = (service: Service, target: string) =>
    service.volumes?.map((volume) => volume.split(':')).find(([, to]) => to === target)?.[0];
  const settings = (service: Service) =>
    Object.fromEntries([service.command].flat().filter((arg) => /^\w+=/.test(String(arg))).map((arg) => String(arg).split('=')));
  const nginxConf = readFileSync(repoFile('deploy/nginx/nginx.conf'), 'utf8');
  const proxyRules = readFileSync(repoFile('deploy/nginx/dvmm-proxy.conf'), 'utf8');

  it('is a project of its own, with volumes of its own, so it never touches the data of docker-compose.yml', () => {
    expect(scale.name).toBe('dvmm-scale');
    expect(Object.keys(scale.volumes ?? {})).not.toContain('dvmm-pg');
  });

  it('runs three app instances from the image, writing to the primary and reading from the replica', () => {
    expect(scaledApp?.build).toBe('.');
    expect(scaledApp?.deploy?.replicas).toBe(3);
    const env = scaledApp!.environment!;
    expect(new URL(env['DATABASE_URL']!).host).toBe('db:5432');
    const readUrls = env['DATABASE_READ_URL']!.split(',');
    expect(readUrls.map((url) => new URL(url).host)).toEqual(['db-replica:5432']);
    // The replica is a copy of the primary: same role, password and database.
    const primary = new URL(env['DATABASE_URL']!);
    for (const url of readUrls.map((read) => new URL(read))) expect([url.username, url.pathname]).toEqual([primary.username, primary.pathname]);
    expect(scaledApp?.depends_on?.['db']?.condition).toBe('service_healthy');
    expect(env['JWT_SECRET']).toMatch(/^\$\{JWT_SECRET:\?set JWT_SECRET [^}]+\}$/);
    expect(env['DVMM_SECRETS_KEYS']).toMatch(/^\$\{DVMM_SECRETS_KEYS:\?/);
    expect(scaleText).not.toMatch(/JWT_SECRET:?-/);
  });

  it('has a primary that allows streaming replication, and a replica that copies it on first start', () => {
    expect(settings(db!)['wal_level']).toBe('replica');
    expect(Number(settings(db!)['max_wal_senders'])).toBeGreaterThan(0);
    // A hot standby refuses to start with fewer connections than its primary.
    expect(Number(settings(replica)['max_connections'])).toBeGreaterThanOrEqual(Number(settings(db!)['max_connections'] ?? 100));
    expect(replica.image).toBe(db!.image);
    const init = mountSource(db!, '/docker-entrypoint-initdb.d/10-replication.sh')!;
    expect(readFileSync(repoFile(init), 'utf8')).toMatch(/create role replicator with replication login/);
    expect(readFileSync(repoFile(init), 'utf8')).toContain('host replication replicator all scram-sha-256');
    const entrypoint = [replica.entrypoint].flat()[0]!;
    const script = mountSource(replica, entrypoint)!;
    expect(existsSync(repoFile(script)), script).toBe(true);
    // Executable in the checkout, as the bind mount keeps the mode (the entrypoint is exec'd, the init script run).
    for (const path of [script, init]) accessSync(repoFile(path), constants.X_OK);
    expect(readFileSync(repoFile(script), 'utf8')).toMatch(/pg_basebackup [^\n]*\n?[^\n]*--write-recovery-conf/);
    expect(replica.environment?.['DVMM_PRIMARY_HOST']).toBe('db');
    expect(replica.environment?.['DVMM_REPLICATION_PASSWORD']).toBe(db!.environment?.['DVMM_REPLICATION_PASSWORD']);
    expect(replica.depends_on?.['db']?.condition).toBe('service_healthy');
  });

  it('checks the health of every service, the instances on /ready', () => {
    for (const [name, service] of Object.entries(scale.services)) expect(service.healthcheck?.test, name).toBeDefined();
    expect([scaledApp!.healthcheck!.test].flat().join(' ')).toContain('/ready');
    expect(lb?.depends_on?.['app']?.condition).toBe('service_healthy');
  });

  it('publishes only the load balancer, whose upstream is every instance of app on its PORT', () => {
    for (const [name, service] of Object.entries(scale.services)) {
      if (name !== 'lb') expect(service.ports, `ports of ${name}`).toBeUndefined();
    }
    const [target] = publishedTargets(lb!);
    expect(nginxConf).toMatch(new RegExp(`listen ${target};`));
    const upstream = /upstream dvmm \{([^}]*)\}/.exec(nginxConf)?.[1] ?? '';
    // `resolve`: nginx asks Docker's DNS again, so every replica of app (and a --scale change) is in the upstream.
    expect(upstream).toMatch(new RegExp(`server app:${scaledApp!.environment!['PORT']} resolve\\b`));
    expect(proxyRules).toContain('proxy_pass http://dvmm;');
    // The rules nginx includes are the committed file the end-to-end test runs.
    const include = /include (\S+);/.exec(nginxConf)?.[1];
    expect(mountSource(lb!, include!)).toBe('./deploy/nginx/dvmm-proxy.conf');
    expect(mountSource(lb!, '/etc/nginx/nginx.conf')).toBe('./deploy/nginx/nginx.conf');
  });
});
