import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README and docs/ are what a new user and a client developer read first: a link that leads nowhere, a link out of
// the repository, or an `npm run` script that does not exist is a broken instruction.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts);

/** Text outside fenced code blocks and inline code spans, where a markdown link is a link. */
const prose = (markdown: string): string =>
  markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');

/** Every inline link or image target. */
export const linkTargets = (markdown: string): string[] =>
  [...prose(markdown).matchAll(/\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)].map((match) => (match[1] ?? match[2])!);

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export const anchors = (markdown: string): Set<string> => {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
};

/** What is wrong with one relative link of `file` (a path from the repository root); null when it is fine. */
export const linkProblem = (file: string, target: string, read: (path: string) => string | null): string | null => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto: ...
  const [path = '', anchor] = target.split('#', 2);
  const resolved = path === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), decodeURIComponent(path));
  const inRepo = relative(ROOT, resolved);
  if (inRepo.startsWith('..')) return `${target} points outside the repository`;
  if (path !== '' && !existsSync(resolved)) return `${target}: ${inRepo} does not exist`;
  if (anchor && resolved.endsWith('.md')) {
    const text = read(resolved);
    if (text !== null && !anchors(text).has(anchor)) return `${target}: ${inRepo} has no heading #${anchor}`;
  }
  return null;
};

/** The package.json scripts a text tells the reader to run: `npm run <script>` (npm's own flags come first), `npm start`, `npm test`. */
export const scriptsNamed = (text: string): string[] => [
  ...[...text.matchAll(/\bnpm run (?:--?[a-z][\w-]*\s+)*([A-Za-z0-9:_.][A-Za-z0-9:_.-]*)/g)].map((match) => match[1]!),
  ...[...text.matchAll(/\bnpm (start|test)\b/g)].map((match) => match[1]!),
];

const readText = (path: string): string | null => (existsSync(path) ? readFileSync(path, 'utf8') : null);

describe('README.md and docs/', () => {
  it('has the four documents', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['docs/api.md', 'docs/domain.md', 'docs/architecture.md', 'docs/operations.md']));
  });

  it.each(DOCS)('%s: every relative link points at a file of the repository (and heading) that exists', (file) => {
    const problems = linkTargets(readFileSync(join(ROOT, file), 'utf8'))
      .map((target) => linkProblem(file, target, readText))
      .filter((problem) => problem !== null);
    expect(problems).toEqual([]);
  });

  it.each(DOCS)('%s: every `npm run <script>`, `npm start` and `npm test` it mentions exists in package.json', (file) => {
    const named = scriptsNamed(readFileSync(join(ROOT, file), 'utf8'));
    expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
  });

  it('README links every document in docs/', () => {
    const targets = linkTargets(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((target) => target.split('#')[0]);
    expect(DOCS.filter((file) => file.startsWith('docs/') && !targets.includes(file))).toEqual([]);
  });
});

describe('the link checker', () => {
  const docs = (file: string, target: string) => linkProblem(file, target, readText);

  it('finds links outside code, and ignores those inside it', () => {
    const markdown = 'See [a](docs/a.md) and ![b](b.png "title").\n```md\n[c](c.md)\n```\nAlso `[d](d.md)` and [e](<e f.md>).';
    expect(linkTargets(markdown)).toEqual(['docs/a.md', 'b.png', 'e f.md']);
  });

  it('reads the script names of npm commands, past npm flags and script arguments', () => {
    expect(scriptsNamed('npm run -s cli -- seals; npm run bench -- live; `npm run schema:check`; npm start; npm test')).toEqual([
      'cli',
      'bench',
      'schema:check',
      'start',
      'test',
    ]);
  });

  it('makes GitHub anchors of headings, repeats numbered', () => {
    expect([...anchors('# Decisions, and why\n## `npm run` and [links](x.md)\n## Limits\n## Limits\n```\n# not a heading\n```')]).toEqual([
      'decisions-and-why',
      'npm-run-and-links',
      'limits',
      'limits-1',
    ]);
  });

  it('refuses a missing file, a missing heading and a path out of the repository; accepts the rest', () => {
    expect(docs('README.md', 'docs/nope.md')).toMatch(/does not exist/);
    expect(docs('README.md', 'docs/api.md#no-such-heading')).toMatch(/has no heading/);
    expect(docs('README.md', '../shared/docs/api.md')).toMatch(/outside the repository/);
    expect(docs('docs/api.md', '../schema.graphql')).toBeNull();
    expect(docs('docs/api.md', '#limits')).toBeNull();
    expect(docs('docs/domain.md', 'architecture.md#decisions-and-why')).toBeNull();
    expect(docs('README.md', 'https://example.com/x')).toBeNull();
  });
});
