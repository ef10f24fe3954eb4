/** Typed GraphQL clients for the end-to-end tests: HTTP (fetch), graphql-ws and SSE, all over real sockets. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { type Client as WsClient, createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface HttpResult<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** POSTs one typed operation; the token goes in the Authorization header. */
export async function http<T, V>(
  url: string,
  token: string | null,
  document: TypedDocumentNode<T, V>,
  variables?: V,
): Promise<HttpResult<T>> {
  return httpRaw<T>(url, token, { query: print(document), variables });
}

/** POSTs any body (for wrong types and hand-written queries). */
export async function httpRaw<T = Record<string, unknown>>(
  url: string,
  token: string | null,
  body: unknown,
): Promise<HttpResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Omit<HttpResult<T>, 'status'>;
  return { status: response.status, ...json };
}

/** The data of a successful operation, or a failed test naming the errors. */
export function dataOf<T>(result: HttpResult<T>): T {
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL errors (HTTP ${result.status}): ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

export function wsClient(url: string, token: string, options: { lazy?: boolean } = {}): WsClient {
  return createWsClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: options.lazy ?? true,
    retryAttempts: 0,
  });
}

/** What one subscription has received so far, and how it ended. */
export interface Received<T> {
  values: T[];
  errors: unknown[];
  completed: boolean;
  /** Resolves when `count` values have arrived (or the subscription ended), with all values so far. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves when `done` holds for the values so far (or the subscription ended). */
  waitUntil(done: (values: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  /** Resolves when the subscription completes or errors. */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

type Sink<T> = { next(value: ExecutionResult<T>): void; error(error: unknown): void; complete(): void };
type Subscribe<T> = (sink: Sink<T>) => () => void;

function collect<T>(subscribe: Subscribe<T>): Received<T> {
  const values: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  let wake: () => void = () => {};
  const changed = () => wake();
  const unsubscribe = subscribe({
    next(result) {
      if (result.errors?.length) errors.push(...result.errors);
      if (result.data) values.push(result.data);
      changed();
    },
    error(error) {
      errors.push(error);
      completed = true;
      changed();
    },
    complete() {
      completed = true;
      changed();
    },
  });
  const until = (done: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (done()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(values)} errors ${JSON.stringify(errors)}`)), timeoutMs);
      const previous = wake;
      wake = () => {
        previous();
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  return {
    values,
    errors,
    get completed() {
      return completed;
    },
    async waitFor(count, timeoutMs = 15_000) {
      await until(() => values.length >= count || completed, timeoutMs, `${count} values`);
      return values;
    },
    async waitUntil(done, timeoutMs = 15_000) {
      await until(() => done(values) || completed, timeoutMs, 'the expected values');
      return values;
    },
    ended: (timeoutMs = 15_000) => until(() => completed, timeoutMs, 'the end of the subscription'),
    unsubscribe,
  };
}

export function subscribeWs<T, V>(client: WsClient, document: TypedDocumentNode<T, V>, variables: V): Received<T> {
  return collect<T>((sink) =>
    client.subscribe<T>({ query: print(document), variables: variables as Record<string, unknown> }, sink),
  );
}

/** A subscription over SSE (graphql-sse client, distinct connections mode, as yoga serves it). */
export function subscribeSse<T, V>(url: string, token: string, document: TypedDocumentNode<T, V>, variables: V): Received<T> {
  const client = createSseClient({ url, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  return collect<T>((sink) => {
    const stop = client.subscribe<T>({ query: print(document), variables: variables as Record<string, unknown> }, sink);
    return () => {
      stop();
      client.dispose();
    };
  });
}
