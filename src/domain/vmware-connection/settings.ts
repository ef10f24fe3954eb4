import { X509Certificate } from 'node:crypto';
import { type DomainResult, type FieldError, invalidFields } from '../errors.ts';
import { blockContains, formatIpv4, parseCidr, parseIpv4 } from '../ipv4.ts';
import { fail, ok } from '../result.ts';
import { parseText, textProblem } from '../text.ts';
import { isVmSize, VM_SIZES, type VmSize } from '../vm-size.ts';

/** A tenant's vCenter connection without its password: what the settings table and the API show. */
export interface VmwareSettings {
  url: string;
  username: string;
  datacenter: string;
  cluster: string | null;
  resourcePool: string | null;
  datastore: string;
  folder: string;
  network: string;
  templates: Partial<Record<VmSize, string>>;
  defaultTemplate: string | null;
  ipPool: { cidr: string; gateway: string; dnsServers: string[]; dnsDomain: string | null } | null;
  tls: { caPem: string | null; insecure: boolean };
}

/** The setting names events list in `changedFields` (the password is reported by `passwordChanged` alone). */
export const VMWARE_SETTING_FIELDS = [
  'url',
  'username',
  'datacenter',
  'cluster',
  'resourcePool',
  'datastore',
  'folder',
  'network',
  'templates',
  'defaultTemplate',
  'ipPool',
  'tls',
] as const satisfies readonly (keyof VmwareSettings)[];

/** As a tenant admin sends it (setVmwareConnection); optional parts may be absent or null. */
export interface VmwareSettingsInput {
  url: string;
  username: string;
  datacenter: string;
  cluster?: string | null;
  resourcePool?: string | null;
  datastore: string;
  folder?: string | null;
  network: string;
  templates?: readonly { size: string; template: string }[] | null;
  defaultTemplate?: string | null;
  ipPool?: { cidr: string; gateway: string; dnsServers?: readonly string[] | null; dnsDomain?: string | null } | null;
  tls?: { caPem?: string | null; insecure?: boolean | null } | null;
}

export const NAME_MAX = 255;
export const URL_MAX = 2048;
export const PASSWORD_MAX = 1024;
const FOLDER_MAX = 1024;
const CA_PEM_MAX = 64 * 1024;
const DNS_SERVERS_MAX = 4;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Checks every setting and names every invalid field at once (nested ones as `ipPool.cidr`, `tls.caPem`,
 * `templates`). `production` refuses `tls.insecure`: production never skips certificate checks.
 */
export const parseVmwareSettings = (input: VmwareSettingsInput, production: boolean): DomainResult<VmwareSettings> => {
  const errors: FieldError[] = [];
  const take = <T>(result: DomainResult<T>, fallback: T): T => {
    if (result.ok) return result.value;
    if (result.error.code === 'VALIDATION') errors.push(...result.error.fields);
    return fallback;
  };
  const problem = (field: string, message: string) => void errors.push({ field, message });
  const name = (value: string, field: string, label: string) => take(parseText(value, field, { label, min: 1, max: NAME_MAX }), '');
  const optionalName = (value: string | null | undefined, field: string, label: string): string | null =>
    value == null || value.trim() === '' ? null : name(value, field, label);

  const url = take(parseText(input.url, 'url', { label: 'URL', min: 1, max: URL_MAX }), '');
  if (url !== '') {
    if (!URL.canParse(url)) problem('url', 'URL must be an absolute URL, e.g. https://vcenter.example.com/sdk');
    else {
      const parsed = new URL(url);
      if (parsed.protocol !== 'https:') problem('url', 'URL must use https (the password travels over it)');
      else if (parsed.username || parsed.password) problem('url', 'URL must not hold credentials: give them as username and password');
    }
  }
  const username = name(input.username, 'username', 'Username');
  const datacenter = name(input.datacenter, 'datacenter', 'Datacenter');
  const cluster = optionalName(input.cluster, 'cluster', 'Cluster');
  const resourcePool = optionalName(input.resourcePool, 'resourcePool', 'Resource pool');
  if (cluster === null && resourcePool === null && !errors.some((e) => e.field === 'cluster' || e.field === 'resourcePool')) {
    problem('cluster', 'A cluster or a resource pool is required: where the VMs run');
  }
  const datastore = name(input.datastore, 'datastore', 'Datastore');
  const folder = input.folder == null ? '' : take(parseText(input.folder, 'folder', { label: 'Folder', min: 0, max: FOLDER_MAX }), '');
  const network = name(input.network, 'network', 'Network');

  const templates: Partial<Record<VmSize, string>> = {};
  for (const entry of input.templates ?? []) {
    if (!isVmSize(entry.size)) {
      problem('templates', `Templates are given per size, one of ${VM_SIZES.join(', ')}; "${entry.size.slice(0, 20)}" is none`);
      continue;
    }
    if (templates[entry.size] !== undefined) {
      problem('templates', `Size ${entry.size} has more than one template`);
      continue;
    }
    templates[entry.size] = name(entry.template, 'templates', `Template for size ${entry.size}`);
  }
  const defaultTemplate = optionalName(input.defaultTemplate, 'defaultTemplate', 'Default template');
  const uncovered = VM_SIZES.filter((size) => templates[size] === undefined);
  if (defaultTemplate === null && uncovered.length > 0 && !errors.some((e) => e.field === 'defaultTemplate')) {
    problem('defaultTemplate', `A default template is required while sizes ${uncovered.join(', ')} have none of their own`);
  }

  const ipPool = input.ipPool ? parseIpPool(input.ipPool, problem, take) : null;
  const tls = { caPem: parseCaPem(input.tls?.caPem, problem), insecure: input.tls?.insecure ?? false };
  if (tls.insecure && production) problem('tls.insecure', 'Skipping certificate verification is refused in production: give the CA (tls.caPem)');

  const [first, ...rest] = errors;
  if (first) return fail(invalidFields([first, ...rest]));
  return ok({ url, username, datacenter, cluster, resourcePool, datastore, folder, network, templates, defaultTemplate, ipPool, tls });
};

/** The password as given (never trimmed: its spaces are its own); checked only for length and valid Unicode. */
export const parseVmwarePassword = (password: string): FieldError | null => {
  if (password.length === 0) return { field: 'password', message: 'Password is required' };
  if (password.length > PASSWORD_MAX) return { field: 'password', message: `Password must be at most ${PASSWORD_MAX} characters` };
  const problem = textProblem(password, false);
  return problem ? { field: 'password', message: `Password ${problem}` } : null;
};

const parseIpPool = (
  input: NonNullable<VmwareSettingsInput['ipPool']>,
  problem: (field: string, message: string) => void,
  take: <T>(result: DomainResult<T>, fallback: T) => T,
): VmwareSettings['ipPool'] => {
  const cidr = input.cidr.trim();
  const block = parseCidr(cidr);
  if (!block) problem('ipPool.cidr', 'The pool must be an IPv4 CIDR block with its host bits zero, e.g. 10.20.0.0/24');
  else if (block.prefix > 29) problem('ipPool.cidr', 'The pool must be /29 or larger: a smaller one leaves too few addresses for VMs');
  const gatewayText = input.gateway.trim();
  const gateway = parseIpv4(gatewayText);
  if (gateway === null) problem('ipPool.gateway', 'The gateway must be an IPv4 address, e.g. 10.20.0.1');
  else if (block && (!blockContains(block, gateway) || gateway === block.network || gateway === block.broadcast)) {
    problem('ipPool.gateway', `The gateway must be a host address inside ${cidr}`);
  }
  const dnsServers = (input.dnsServers ?? []).map((server) => server.trim());
  if (dnsServers.length > DNS_SERVERS_MAX) problem('ipPool.dnsServers', `At most ${DNS_SERVERS_MAX} DNS servers`);
  const badServer = dnsServers.find((server) => parseIpv4(server) === null);
  if (badServer !== undefined) problem('ipPool.dnsServers', `DNS servers must be IPv4 addresses; "${badServer.slice(0, 40)}" is not`);
  const domainText = input.dnsDomain?.trim() ?? '';
  const dnsDomain = domainText === '' ? null : take(parseText(domainText, 'ipPool.dnsDomain', { label: 'DNS domain', min: 1, max: 253 }), null);
  if (dnsDomain !== null && !DOMAIN.test(dnsDomain)) problem('ipPool.dnsDomain', 'The DNS domain must be a domain name, e.g. corp.example.com');
  return {
    cidr: block ? `${formatIpv4(block.network)}/${block.prefix}` : cidr,
    gateway: gateway === null ? gatewayText : formatIpv4(gateway),
    dnsServers: dnsServers.map((server) => {
      const value = parseIpv4(server);
      return value === null ? server : formatIpv4(value);
    }),
    dnsDomain: dnsDomain?.toLowerCase() ?? null,
  };
};

const parseCaPem = (input: string | null | undefined, problem: (field: string, message: string) => void): string | null => {
  const pem = input?.trim() ?? '';
  if (pem === '') return null;
  if (pem.length > CA_PEM_MAX) {
    problem('tls.caPem', `The CA must be at most ${CA_PEM_MAX} characters of PEM`);
    return null;
  }
  const unfit = textProblem(pem, true);
  if (unfit) {
    problem('tls.caPem', `The CA ${unfit}`);
    return null;
  }
  if (!pem.startsWith('-----BEGIN CERTIFICATE-----')) {
    problem('tls.caPem', 'The CA must be a PEM certificate (-----BEGIN CERTIFICATE-----)');
    return null;
  }
  try {
    new X509Certificate(pem);
  } catch {
    problem('tls.caPem', 'The CA does not parse as a PEM certificate');
    return null;
  }
  return `${pem}\n`;
};

/** The settings whose values differ, in VMWARE_SETTING_FIELDS order; every one when there were none before. */
export const changedSettingFields = (before: VmwareSettings | null, after: VmwareSettings): string[] =>
  VMWARE_SETTING_FIELDS.filter((field) => before === null || canonical(before[field]) !== canonical(after[field]));

/** JSON with object keys sorted, so templates given in another order are the same templates. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
