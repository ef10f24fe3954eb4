import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_NODE_FLAGS } from '../../src/production-flags.ts';
import { parseDockerfile, stageOf } from '../support/dockerfile.ts';

const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const scripts = () => (JSON.parse(file('package.json')) as { scripts: Record<string, string> }).scripts;

describe('production Node flags', () => {
  it('npm start runs the service with them', () => {
    for (const flag of PRODUCTION_NODE_FLAGS) expect(scripts().start!.split(/\s+/)).toContain(flag);
  });

  it('npm run start:prod runs the compiled service with them and with source maps', () => {
    const argv = scripts()['start:prod']!.split(/\s+/);
    for (const flag of [...PRODUCTION_NODE_FLAGS, '--enable-source-maps']) expect(argv).toContain(flag);
    expect(argv.at(-1)).toBe('dist/main.js');
  });

  it("the Dockerfile's CMD runs the compiled service with them and with source maps", () => {
    const argv = stageOf(parseDockerfile(file('Dockerfile')), 'final').cmd!;
    for (const flag of [...PRODUCTION_NODE_FLAGS, '--enable-source-maps']) expect(argv).toContain(flag);
    expect(argv.at(-1)).toBe('dist/main.js');
  });
});
