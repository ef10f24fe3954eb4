import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_NODE_FLAGS } from '../../src/production-flags.ts';

const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('production Node flags', () => {
  it('npm start runs the service with them', () => {
    const start = (JSON.parse(file('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    for (const flag of PRODUCTION_NODE_FLAGS) expect(start.split(/\s+/)).toContain(flag);
  });

  it("the Dockerfile's CMD runs the service with them", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(file('Dockerfile'));
    expect(cmd).not.toBeNull();
    const argv = JSON.parse(cmd![1]!) as string[];
    for (const flag of PRODUCTION_NODE_FLAGS) expect(argv).toContain(flag);
    expect(argv.at(-1)).toBe('src/main.ts');
  });
});
