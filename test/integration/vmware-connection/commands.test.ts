import { describe, expect } from 'vitest';
import { readVmwareConnection, vmwareConnectionStreamId } from '../../../src/commands/index.ts';
import { passwordContext } from '../../../src/secrets/index.ts';
import { refusal, success } from '../commands-fixtures.ts';
import { person } from '../../support/personas.ts';
import { connectionInput, connectionTest as test, PASSWORD } from './fixtures.ts';

let tenants = 0;
const tenant = () => `vmw-${++tenants}-${Date.now().toString(36)}`;
const admin = (t: string) => person(t, 'root', 'admin');

describe('setVmwareConnection and removeVmwareConnection', () => {
  test('the first set needs a password; the event names what changed, the table holds the settings and the password encrypted', async ({ commands, sql, secrets }) => {
    const t = tenant();
    const missing = refusal(await commands.setVmwareConnection(admin(t), connectionInput({ password: null })));
    expect(missing).toMatchObject({ code: 'VALIDATION', field: 'password' });
    expect(await readVmwareConnection(sql, t)).toBeNull();

    const set = success(await commands.setVmwareConnection(admin(t), connectionInput()));
    expect(set.version).toBe(1);
    expect(set.events).toEqual([
      expect.objectContaining({
        type: 'VmwareConnectionChanged',
        data: {
          changedBy: 'root',
          changedFields: ['url', 'username', 'datacenter', 'cluster', 'resourcePool', 'datastore', 'folder', 'network', 'templates', 'defaultTemplate', 'ipPool', 'tls'],
          passwordChanged: true,
        },
      }),
    ]);
    const stored = await readVmwareConnection(sql, t);
    expect(stored).toMatchObject({ version: 1, updatedBy: 'root', settings: { datastore: 'LocalDS_0', templates: { XL: 'ubuntu-xl' } } });
    expect(stored!.passwordSecret).not.toContain(PASSWORD);
    expect(secrets.decrypt(stored!.passwordSecret, passwordContext(t))).toBe(PASSWORD);
    expect(JSON.stringify(stored!.settings)).not.toContain(PASSWORD);

    // Neither the password nor its ciphertext is anywhere in the event store.
    const [found] = await sql<{ n: number }[]>`
      select count(*)::int as n from events
      where data::text like ${`%${PASSWORD}%`} or metadata::text like ${`%${PASSWORD}%`}
         or data::text like ${`%${stored!.passwordSecret.split(':')[2]!.slice(0, 16)}%`}`;
    expect(found!.n).toBe(0);
    const [events] = await sql<{ data: string }[]>`
      select data::text as data from events where stream_id = ${vmwareConnectionStreamId(t)} order by stream_version`;
    expect(events!.data).not.toContain('vcenter.example.com');
  });

  test('a password left out keeps the stored one; the same settings write nothing; a change names only its fields', async ({ commands, sql, secrets }) => {
    const t = tenant();
    success(await commands.setVmwareConnection(admin(t), connectionInput()));
    const before = (await readVmwareConnection(sql, t))!;

    const same = success(await commands.setVmwareConnection(admin(t), connectionInput({ expectedVersion: 1, password: null })));
    expect(same.version).toBe(1);
    expect(same.events).toEqual([]);
    const samePassword = success(await commands.setVmwareConnection(admin(t), connectionInput({ expectedVersion: 1 })));
    expect(samePassword.events).toEqual([]);

    const changed = success(
      await commands.setVmwareConnection(admin(t), connectionInput({ expectedVersion: 1, password: undefined, datastore: 'LocalDS_1' })),
    );
    expect(changed.events.map((e) => e.data)).toEqual([{ changedBy: 'root', changedFields: ['datastore'], passwordChanged: false }]);
    const after = (await readVmwareConnection(sql, t))!;
    expect(after).toMatchObject({ version: 2, settings: { datastore: 'LocalDS_1' } });
    expect(after.passwordSecret).toBe(before.passwordSecret);

    const newPassword = success(await commands.setVmwareConnection(admin(t), connectionInput({ expectedVersion: 2, datastore: 'LocalDS_1', password: 'n3w' })));
    expect(newPassword.events.map((e) => e.data)).toEqual([{ changedBy: 'root', changedFields: [], passwordChanged: true }]);
    expect(secrets.decrypt((await readVmwareConnection(sql, t))!.passwordSecret, passwordContext(t))).toBe('n3w');
  });

  test('only tenant admins; bad input and a stale version write nothing', async ({ commands, sql }) => {
    const t = tenant();
    const countEvents = async () =>
      (await sql<{ n: number }[]>`select count(*)::int as n from events where stream_id = ${vmwareConnectionStreamId(t)}`)[0]!.n;
    expect(refusal(await commands.setVmwareConnection(person(t, 'alice'), connectionInput()))).toMatchObject({ code: 'FORBIDDEN' });
    const invalid = refusal(
      await commands.setVmwareConnection(admin(t), connectionInput({ url: 'http://vc/sdk', ipPool: { cidr: '10.0.0.0/24', gateway: '10.9.9.9' }, tls: { insecure: true } })),
    );
    expect(invalid).toMatchObject({ code: 'VALIDATION' });
    expect(invalid.code === 'VALIDATION' && invalid.fields.map((f) => f.field)).toEqual(['url', 'ipPool.gateway', 'tls.insecure']);
    expect(refusal(await commands.setVmwareConnection(admin(t), connectionInput({ expectedVersion: 3 })))).toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
      expectedVersion: 3,
      actualVersion: 0,
    });
    expect(await countEvents()).toBe(0);
    expect(await readVmwareConnection(sql, t)).toBeNull();

    success(await commands.setVmwareConnection(admin(t), connectionInput()));
    expect(refusal(await commands.removeVmwareConnection(person(t, 'alice'), { expectedVersion: 1 }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await commands.removeVmwareConnection(admin(t), { expectedVersion: 0 }))).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(await countEvents()).toBe(1);
  });

  test('concurrent sets at one version: exactly one wins, and the table holds the winner at the stream\'s version', async ({ commands, sql }) => {
    const t = tenant();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => commands.setVmwareConnection(admin(t), connectionInput({ datastore: `DS-${i}` }))),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    for (const lost of results.filter((r) => !r.ok)) expect(lost.ok || lost.error.code).toBe('CONCURRENCY_CONFLICT');
    const index = results.findIndex((r) => r.ok);
    const stored = (await readVmwareConnection(sql, t))!;
    expect(stored).toMatchObject({ version: 1, settings: { datastore: `DS-${index}` } });

    // And again from version 1, racing removals against sets: events and table agree whichever wins.
    const second = await Promise.all([
      commands.removeVmwareConnection(admin(t), { expectedVersion: 1 }),
      commands.setVmwareConnection(admin(t), connectionInput({ expectedVersion: 1, datastore: 'DS-x' })),
      commands.setVmwareConnection(admin(t), connectionInput({ expectedVersion: 1, datastore: 'DS-y' })),
    ]);
    expect(second.filter((r) => r.ok)).toHaveLength(1);
    const [stream] = await sql<{ n: number; last: string }[]>`
      select count(*)::int as n, (array_agg(event_type order by stream_version desc))[1] as last
      from events where stream_id = ${vmwareConnectionStreamId(t)}`;
    expect(stream!.n).toBe(2);
    const row = await readVmwareConnection(sql, t);
    if (stream!.last === 'VmwareConnectionRemoved') expect(row).toBeNull();
    else expect(row).toMatchObject({ version: 2 });
  });

  test('removal deletes the settings and the password; a new connection after it starts from expectedVersion 0', async ({ commands, sql }) => {
    const t = tenant();
    success(await commands.setVmwareConnection(admin(t), connectionInput()));
    const removed = success(await commands.removeVmwareConnection(admin(t), { expectedVersion: 1 }));
    expect(removed.events.map((e) => e.data)).toEqual([{ removedBy: 'root' }]);
    expect(await readVmwareConnection(sql, t)).toBeNull();
    expect(refusal(await commands.removeVmwareConnection(admin(t), { expectedVersion: 2 }))).toMatchObject({ code: 'NOT_FOUND' });
    // As after the first set, a password is required again.
    expect(refusal(await commands.setVmwareConnection(admin(t), connectionInput({ password: null })))).toMatchObject({ field: 'password' });
    const again = success(await commands.setVmwareConnection(admin(t), connectionInput()));
    expect(again.version).toBe(3);
    expect(await readVmwareConnection(sql, t)).toMatchObject({ version: 3 });
  });

  test('another tenant\'s admin neither sees nor touches the connection', async ({ commands, sql }) => {
    const t = tenant();
    const other = tenant();
    success(await commands.setVmwareConnection(admin(t), connectionInput()));
    expect(await readVmwareConnection(sql, other)).toBeNull();
    expect(refusal(await commands.removeVmwareConnection(admin(other), { expectedVersion: 1 }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await readVmwareConnection(sql, t)).toMatchObject({ version: 1 });
  });
});
