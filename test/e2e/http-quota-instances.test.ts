import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idOf } from '../../src/graphql/ids.ts';
import { mintToken } from '../../src/http/auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { alice, bob, tokenClaims } from '../support/personas.ts';
import { postGraphQL } from '../support/server.ts';

// The quota holds across processes: two real `npm start` processes (src/main.ts) on one database, each with its own
// pool and command handlers, take requests for the same project at the same moment.
const root = fileURLToPath(new URL('../..', import.meta.url));
const secret = randomBytes(32).toString('base64url');

interface Instance {
  process: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

let database: TestDatabase;
let instances: Instance[] = [];

function startInstance(name: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      JWT_SECRET: secret,
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      PROVISIONING_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n')) {
        output.push(`[${name}] ${line}`);
        const match = /listening on (http:\/\/\S+\/graphql)/.exec(line);
        if (match) resolve({ process: child, url: match[1]!, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${name} exited with ${code}:\n${output.join('\n')}`)));
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  instances = await Promise.all([startInstance('a'), startInstance('b')]);
});

afterAll(async () => {
  for (const instance of instances) {
    if (instance.process.exitCode === null) instance.process.kill('SIGTERM');
    await instance.exited;
  }
  await database?.close();
});

const call = async (instance: Instance, who: typeof alice, query: string, variables: Record<string, unknown>) => {
  const response = await postGraphQL(instance.url, query, { authorization: `Bearer ${await mintToken(tokenClaims(who), { secret })}` }, variables);
  expect(response.body.errors).toBeUndefined();
  return response.body.data!;
};

describe('a quota across two server processes', () => {
  it('50 concurrent creates against maxVms = 10, split over both processes: exactly 10 requests', async () => {
    const [a, b] = instances as [Instance, Instance];
    const created = (await call(a, bob, 'mutation($input: CreateProjectInput!) { createProject(input: $input) { ... on CreateProjectPayload { project { id version } } } }', {
      input: { name: 'Quota across processes' },
    }))['createProject'] as { project: { id: string; version: number } };
    const projectId = created.project.id;
    await call(b, bob, 'mutation($input: AddProjectMemberInput!) { addProjectMember(input: $input) { __typename } }', {
      input: { projectId, userId: alice.userId, role: 'MEMBER' },
    });
    const set = (await call(a, bob, 'mutation($input: SetProjectQuotaInput!) { setProjectQuota(input: $input) { __typename } }', {
      input: { projectId, expectedVersion: created.project.version + 1, maxVms: 10 },
    }))['setProjectQuota'];
    expect(set).toEqual({ __typename: 'SetProjectQuotaPayload' });

    const create = `mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) {
      __typename ... on QuotaExceededError { resource limit used requested } } }`;
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const data = await call(i % 2 === 0 ? a : b, alice, create, {
          input: { projectId, vmName: `across-${i}`, size: 'S', justification: 'Two processes, one quota' },
        });
        return data['createVmRequest'] as { __typename: string };
      }),
    );
    expect(results.filter((result) => result.__typename === 'CreateVmRequestPayload')).toHaveLength(10);
    const refused = results.filter((result) => result.__typename === 'QuotaExceededError');
    expect(refused).toHaveLength(40);
    for (const refusal of refused) expect(refusal).toMatchObject({ resource: 'VMS', limit: 10, used: 10, requested: 1 });
    // The event log agrees with the answers, and so does the project's usage, read from either process.
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from events where event_type = 'VmRequestCreated' and data->>'projectId' = ${idOf(projectId, 'Project')!}`;
    expect(row!.n).toBe(10);
    const usage = (await call(b, bob, 'query($id: ID!) { project(id: $id) { usage { counted { vms } } quota { maxVms } } }', { id: projectId }))['project'];
    expect(usage).toEqual({ usage: { counted: { vms: 10 } }, quota: { maxVms: 10 } });
  });
});
