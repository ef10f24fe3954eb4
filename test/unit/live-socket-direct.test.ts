import { buildSchema, type DocumentNode, type ExecutionArgs, type ExecutionResult, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLiveIterator, type Step } from '../../src/live/live-iterator.ts';
import { SharedExecution } from '../../src/http/live-socket/shared-execution.ts';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type State { name: String, broken: String }
  type Subscription { states: State }
`);

/** A live stream of states fed by hand, through the plugin's subscribe function, as yoga would call it. */
const subscribe = async (query: string | DocumentNode, execution = new SharedExecution()) => {
  const queue: { name: string }[] = [];
  let closed = false;
  const live = createLiveIterator<{ name: string }>(
    (): Step<{ name: string }> => {
      const next = queue.shift();
      return next ? { value: next } : 'wait';
    },
    () => (closed = true),
  );
  const resolvers = {
    states: { subscribe: () => live.iterator, resolve: (state: { name: string }) => state },
  };
  Object.assign(schema.getSubscriptionType()!.getFields()['states']!, resolvers.states);
  (schema.getType('State') as unknown as { getFields(): Record<string, { resolve?: unknown }> }).getFields()['broken']!.resolve = () => {
    throw new Error('boom');
  };
  let subscribeFn: ((args: ExecutionArgs) => Promise<unknown>) | undefined;
  (execution.plugin.onSubscribe as (payload: unknown) => void)({ setSubscribeFn: (fn: typeof subscribeFn) => (subscribeFn = fn) });
  const contextValue = {};
  const results = (await subscribeFn!({ schema, document: typeof query === 'string' ? parse(query) : query, contextValue })) as AsyncIterableIterator<ExecutionResult>;
  const pushState = (state: { name: string }) => {
    queue.push(state);
    live.wake();
  };
  const push = (name: string) => pushState({ name });
  return { results, push, pushState, contextValue, closed: () => closed, takeDirectResults: (context: unknown) => execution.takeDirectResults(context) };
};

describe('the direct path of a live subscription', () => {
  it('hands error-free results to the sink, one at a time, each after the previous one is done', async () => {
    const { results, push, contextValue, takeDirectResults } = await subscribe('subscription { states { name } }');
    const direct = takeDirectResults(contextValue);
    expect(direct).toBeDefined();
    expect(takeDirectResults(contextValue)).toBeUndefined(); // handed out once
    const sent: unknown[] = [];
    const dones: (() => void)[] = [];
    direct!.attach({ sendResult: (result, done) => (sent.push(result.data), dones.push(done)) });
    const pending = results.next();
    push('a');
    push('b'); // held: the sink has not finished with `a`
    expect(sent).toEqual([{ states: { name: 'a' } }]);
    dones.shift()!();
    expect(sent).toEqual([{ states: { name: 'a' } }, { states: { name: 'b' } }]);
    dones.shift()!();
    push('c');
    expect(sent).toHaveLength(3);
    await results.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('sends results with errors up the iterator chain (where yoga masks them), not to the sink', async () => {
    const { results, push, contextValue, closed, takeDirectResults } = await subscribe('subscription { states { name broken } }');
    const sent: unknown[] = [];
    takeDirectResults(contextValue)!.attach({ sendResult: (result, done) => (sent.push(result), done()) });
    const pending = results.next();
    push('a');
    const step = await pending;
    expect(step.done).toBe(false);
    expect(step.value?.errors?.[0]?.message).toBe('boom');
    expect(sent).toEqual([]);
    await results.return!();
    expect(closed()).toBe(true);
  });

  it('without a sink, answers next() as any async iterator', async () => {
    const { results, push } = await subscribe('subscription { states { name } }');
    push('a');
    expect(await results.next()).toEqual({ value: { data: { states: { name: 'a' } } }, done: false });
    const next = results.next();
    push('b');
    expect((await next).value?.data).toEqual({ states: { name: 'b' } });
  });
});

describe('shared execution', () => {
  it('executes one payload once per operation for every subscriber of one server, and serializes the result once', async () => {
    // yoga hands every subscriber of the same query text the same parsed document.
    const document = parse('subscription { states { name } }');
    const execution = new SharedExecution();
    const first = await subscribe(document, execution);
    const second = await subscribe(document, execution);
    const state = { name: 'shared' };
    const [a, b] = [first.results.next(), second.results.next()];
    first.pushState(state);
    second.pushState(state);
    const [resultA, resultB] = [(await a).value!, (await b).value!];
    expect(resultA).toEqual({ data: { states: { name: 'shared' } } });
    expect(resultB).toBe(resultA);
    expect(execution.json(resultB)).toBe(execution.json(resultA));
    expect(JSON.parse(execution.json(resultA))).toEqual({ data: { states: { name: 'shared' } } });
  });

  it('shares nothing between two servers: each has its own instance', async () => {
    const document = parse('subscription { states { name } }');
    const one = await subscribe(document, new SharedExecution());
    const other = await subscribe(document, new SharedExecution());
    const state = { name: 'apart' };
    const [a, b] = [one.results.next(), other.results.next()];
    one.pushState(state);
    other.pushState(state);
    const [resultA, resultB] = [(await a).value!, (await b).value!];
    expect(resultB).toEqual(resultA);
    expect(resultB).not.toBe(resultA);
  });

  it('gives a result with errors to its own subscriber only, its errors in the JSON as graphql-ws sends them', async () => {
    const document = parse('subscription { states { name broken } }');
    const execution = new SharedExecution();
    const first = await subscribe(document, execution);
    const second = await subscribe(document, execution);
    const state = { name: 'x' };
    const [a, b] = [first.results.next(), second.results.next()];
    first.pushState(state);
    second.pushState(state);
    const [resultA, resultB] = [(await a).value!, (await b).value!];
    expect(resultA.errors?.[0]?.message).toBe('boom');
    expect(resultB).not.toBe(resultA);
    expect(JSON.parse(execution.json(resultA))).toMatchObject({ data: { states: { name: 'x', broken: null } }, errors: [{ message: 'boom', path: ['states', 'broken'] }] });
  });
});
