/**
 * The parts of the project's Dockerfile that test/e2e/build.test.ts replays without a Docker engine (each stage's
 * COPY, RUN and ENV instructions and the final CMD) and test/unit/dockerfile.test.ts checks. Hand-written because only this file's own plain instructions
 * (no heredocs, no ARG substitution) need reading; an unknown form fails the test rather than being guessed at.
 */
export interface Copy {
  /** The stage copied from (`--from=build`), or null for the build context. */
  from: string | null;
  sources: string[];
  dest: string;
}

export interface Stage {
  name: string;
  /** The base image, e.g. node:24-slim. */
  image: string;
  copies: Copy[];
  runs: string[];
  env: Record<string, string>;
  user: string | null;
  /** HEALTHCHECK's options and command, as written. */
  healthcheck: string | null;
  entrypoint: string[] | null;
  cmd: string[] | null;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  // A trailing backslash continues an instruction on the next line; comments are whole lines.
  const lines = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  for (const line of lines) {
    const [instruction = '', ...words] = line.split(/\s+/);
    const rest = line.slice(instruction.length).trim();
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case 'FROM': {
        const named = /^\S+\s+AS\s+(\S+)$/i.exec(rest);
        const image = words[0] ?? '';
        stages.push({ name: named?.[1] ?? String(stages.length), image, copies: [], runs: [], env: {}, user: null, healthcheck: null, entrypoint: null, cmd: null });
        break;
      }
      case 'COPY': {
        if (!stage) throw new Error(`COPY before FROM: ${line}`);
        const from = words[0]?.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
        if (words.some((word) => word.startsWith('--'))) throw new Error(`unsupported COPY flag: ${line}`);
        const dest = words.pop();
        if (!dest || words.length === 0) throw new Error(`COPY needs a source and a destination: ${line}`);
        stage.copies.push({ from, sources: words, dest });
        break;
      }
      case 'RUN':
        stage?.runs.push(rest);
        break;
      case 'ENV':
        for (const pair of words) {
          const at = pair.indexOf('=');
          if (at < 1 || !stage) throw new Error(`ENV needs NAME=value pairs: ${line}`);
          stage.env[pair.slice(0, at)] = pair.slice(at + 1);
        }
        break;
      case 'CMD':
      case 'ENTRYPOINT':
        if (!stage) throw new Error(`${instruction} before FROM: ${line}`);
        if (!rest.startsWith('[')) throw new Error(`${instruction} in shell form (signals would reach sh, not node): ${line}`);
        stage[instruction.toUpperCase() === 'CMD' ? 'cmd' : 'entrypoint'] = JSON.parse(rest) as string[];
        break;
      case 'USER':
        if (stage) stage.user = rest;
        break;
      case 'HEALTHCHECK':
        if (stage) stage.healthcheck = rest;
        break;
      default:
        break;
    }
  }
  return stages;
}

/** The stage named `name`; the last one (the image) for `'final'`. */
export function stageOf(stages: Stage[], name: string): Stage {
  const stage = name === 'final' ? stages.at(-1) : stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`the Dockerfile has no stage ${name}`);
  return stage;
}

/**
 * Whether `.dockerignore` lets `path` into the build context: the last pattern that matches decides, `!` lets in.
 * Patterns are `*` or a plain path (a folder takes what is under it), which is all the project's file uses.
 */
export function inBuildContext(dockerignore: string, path: string): boolean {
  let included = true;
  for (const raw of dockerignore.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/\/$/, '');
    if (pattern !== '*' && /[*?[]/.test(pattern)) throw new Error(`unsupported .dockerignore pattern: ${line}`);
    if (pattern === '*' || path === pattern || path.startsWith(`${pattern}/`)) included = negated;
  }
  return included;
}
