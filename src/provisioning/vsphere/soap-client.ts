import { HypervisorError } from '../hypervisor-error.ts';
import { isFault, soapFaultError } from './faults.ts';
import type { Transport } from './transport.ts';
import { child, el, envelope, type MoRef, moRefXml, parseXml, toMoRef, type Xml, type XmlNode } from './xml.ts';

/** The managed objects every session starts from (ServiceInstance.content). */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  searchIndex: MoRef;
  sessionManager: MoRef;
}

export interface CallContext {
  signal?: AbortSignal | undefined;
  /** This call's own limit; default the client's callTimeoutMs. */
  timeoutMs?: number;
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

/**
 * vim25 calls over one logged-in session. The session cookie (vmware_soap_session) is taken from Login's reply and
 * sent with every call; a NotAuthenticated answer (session expired, vCenter restarted) logs in again and repeats the
 * call once. Only one login runs at a time, however many calls find the session gone together.
 */
export class SoapClient {
  private cookie: string | null = null;
  private content: ServiceContent | null = null;
  private login: Promise<void> | null = null;
  /** Bumped on every login, so caches of managed object references can tell they may be stale. */
  generation = 0;

  constructor(
    private readonly transport: Transport,
    private readonly credentials: { username: string; password: string },
    private readonly callTimeoutMs: number,
  ) {}

  /** Logs in unless a session is open; returns the service content. */
  async connect(ctx: CallContext): Promise<ServiceContent> {
    if (this.cookie === null || this.content === null) await this.relogin(ctx, null);
    return this.content as ServiceContent;
  }

  /** Calls `method` on `target`; returns the method's response element (its returnval children hold the answer). */
  async call(method: string, target: MoRef, body: readonly (Xml | null | undefined)[], ctx: CallContext): Promise<XmlNode> {
    await this.connect(ctx);
    const cookie = this.cookie;
    try {
      return (await this.send(method, target, body, ctx, cookie)).node;
    } catch (error) {
      if (!isFault(error, 'NotAuthenticated')) throw error;
      await this.relogin(ctx, cookie);
      return (await this.send(method, target, body, ctx, this.cookie)).node;
    }
  }

  /** Ends the session (best effort: a session that is already gone is fine). */
  async logout(ctx: CallContext): Promise<void> {
    const cookie = this.cookie;
    const content = this.content;
    this.cookie = null;
    if (cookie === null || content === null) return;
    await this.send('Logout', content.sessionManager, [], ctx, cookie).catch(() => undefined);
  }

  /** Logs in again unless another call already did since `staleCookie` was current. */
  private async relogin(ctx: CallContext, staleCookie: string | null): Promise<void> {
    if (this.login === null) {
      if (this.cookie !== staleCookie && this.cookie !== null) return;
      this.login = this.doLogin(ctx).finally(() => {
        this.login = null;
      });
    }
    await this.login;
  }

  private async doLogin(ctx: CallContext): Promise<void> {
    const reply = await this.send('RetrieveServiceContent', SERVICE_INSTANCE, [], ctx, null);
    const returnval = child(reply.node, 'returnval');
    const ref = (name: string): MoRef => {
      const node = child(returnval, name);
      if (node === null) throw new HypervisorError('UNKNOWN', `the service content lacks ${name}: is this a vCenter /sdk endpoint?`);
      return toMoRef(node);
    };
    const content: ServiceContent = {
      rootFolder: ref('rootFolder'),
      propertyCollector: ref('propertyCollector'),
      viewManager: ref('viewManager'),
      searchIndex: ref('searchIndex'),
      sessionManager: ref('sessionManager'),
    };
    const login = await this.send(
      'Login',
      content.sessionManager,
      [el('userName', this.credentials.username), el('password', this.credentials.password)],
      ctx,
      null,
    );
    if (login.cookie === null) throw new HypervisorError('UNKNOWN', 'vCenter accepted the login but set no session cookie');
    this.content = content;
    this.cookie = login.cookie;
    this.generation++;
  }

  private async send(
    method: string,
    target: MoRef,
    body: readonly (Xml | null | undefined)[],
    ctx: CallContext,
    cookie: string | null,
  ): Promise<{ node: XmlNode; cookie: string | null }> {
    const response = await this.transport.post({
      body: envelope(method, [moRefXml('_this', target), ...body]),
      cookie,
      timeoutMs: ctx.timeoutMs ?? this.callTimeoutMs,
      signal: ctx.signal,
      method,
    });
    return { node: replyOf(method, response.status, response.body), cookie: response.sessionCookie };
  }
}

/** The Body's one element: the method's response, or a Fault thrown as a VimFaultError. */
export function replyOf(method: string, status: number, body: string): XmlNode {
  let first: XmlNode | null = null;
  try {
    const root = parseXml(body);
    first = root.name === 'Envelope' ? (child(root, 'Body')?.children[0] ?? null) : null;
  } catch {
    first = null;
  }
  if (first === null) {
    // Not SOAP: a proxy or a server in trouble. 5xx is an outage; anything else means the URL is not a vCenter.
    const code = status >= 500 ? 'CONNECTION_FAILED' : 'UNKNOWN';
    throw new HypervisorError(code, `${method}: vCenter answered HTTP ${status} without a SOAP reply`);
  }
  if (first.name === 'Fault') throw soapFaultError(first, method);
  return first;
}
