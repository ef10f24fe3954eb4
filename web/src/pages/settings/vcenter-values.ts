import type { VmSize, VmwareConnectionInput, VmwareSettingsFieldsFragment } from '../../gql/graphql.ts';

export const SIZES: readonly VmSize[] = ['S', 'M', 'L', 'XL'];

/** The form's fields as typed: text everywhere (an empty field is "none"), two checkboxes. */
export interface VcenterValues {
  url: string;
  username: string;
  /** Only to change it: empty keeps the stored one. */
  password: string;
  datacenter: string;
  cluster: string;
  resourcePool: string;
  datastore: string;
  folder: string;
  network: string;
  templates: Record<VmSize, string>;
  defaultTemplate: string;
  useIpPool: boolean;
  cidr: string;
  gateway: string;
  /** Separated by commas, spaces or line breaks. */
  dnsServers: string;
  dnsDomain: string;
  caPem: string;
  insecure: boolean;
}

/** Where the form shows an error: a field of its own, or the templates group. */
export type VcenterField = Exclude<keyof VcenterValues, 'templates' | 'useIpPool'> | 'templates';

export const emptyValues = (): VcenterValues => ({
  url: '',
  username: '',
  password: '',
  datacenter: '',
  cluster: '',
  resourcePool: '',
  datastore: '',
  folder: '',
  network: '',
  templates: { S: '', M: '', L: '', XL: '' },
  defaultTemplate: '',
  useIpPool: false,
  cidr: '',
  gateway: '',
  dnsServers: '',
  dnsDomain: '',
  caPem: '',
  insecure: false,
});

/** The saved connection as the form shows it (the password field empty: it is never read back). */
export function valuesOf(connection: VmwareSettingsFieldsFragment | null): VcenterValues {
  if (!connection) return emptyValues();
  const templates = emptyValues().templates;
  for (const entry of connection.templates) templates[entry.size] = entry.template;
  return {
    url: connection.url,
    username: connection.username,
    password: '',
    datacenter: connection.datacenter,
    cluster: connection.cluster ?? '',
    resourcePool: connection.resourcePool ?? '',
    datastore: connection.datastore,
    folder: connection.folder,
    network: connection.network,
    templates,
    defaultTemplate: connection.defaultTemplate ?? '',
    useIpPool: connection.ipPool !== null,
    cidr: connection.ipPool?.cidr ?? '',
    gateway: connection.ipPool?.gateway ?? '',
    dnsServers: connection.ipPool?.dnsServers.join(', ') ?? '',
    dnsDomain: connection.ipPool?.dnsDomain ?? '',
    caPem: connection.tls.caPem ?? '',
    insecure: connection.tls.insecure,
  };
}

const orNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

/**
 * The form as the API takes it: empty optional fields are absent, a size without a template has no entry, and the
 * password is sent only when one was typed (absent keeps the stored one). The server checks everything; this only
 * shapes it.
 */
export function inputOf(values: VcenterValues): VmwareConnectionInput {
  return {
    url: values.url.trim(),
    username: values.username.trim(),
    ...(values.password === '' ? {} : { password: values.password }),
    datacenter: values.datacenter.trim(),
    cluster: orNull(values.cluster),
    resourcePool: orNull(values.resourcePool),
    datastore: values.datastore.trim(),
    folder: values.folder.trim(),
    network: values.network.trim(),
    templates: SIZES.filter((size) => values.templates[size].trim() !== '').map((size) => ({ size, template: values.templates[size].trim() })),
    defaultTemplate: orNull(values.defaultTemplate),
    ipPool: values.useIpPool
      ? {
          cidr: values.cidr.trim(),
          gateway: values.gateway.trim(),
          dnsServers: values.dnsServers.split(/[\s,;]+/).filter((server) => server !== ''),
          dnsDomain: orNull(values.dnsDomain),
        }
      : null,
    tls: { caPem: orNull(values.caPem), insecure: values.insecure },
  };
}

const SERVER_FIELDS: Record<string, VcenterField> = {
  url: 'url',
  username: 'username',
  password: 'password',
  datacenter: 'datacenter',
  cluster: 'cluster',
  resourcePool: 'resourcePool',
  datastore: 'datastore',
  folder: 'folder',
  network: 'network',
  templates: 'templates',
  defaultTemplate: 'defaultTemplate',
  'ipPool.cidr': 'cidr',
  'ipPool.gateway': 'gateway',
  'ipPool.dnsServers': 'dnsServers',
  'ipPool.dnsDomain': 'dnsDomain',
  'tls.caPem': 'caPem',
  'tls.insecure': 'insecure',
};

/** The form field a ValidationError's field name (`ipPool.cidr`, `tls.insecure`) belongs to; null for none of them. */
export const formFieldOf = (serverField: string): VcenterField | null => SERVER_FIELDS[serverField.replace(/^connection\./, '')] ?? null;

/** Each refused field's messages on its form field (several join), and the refusals no field shows. */
export function placeFieldErrors(fields: readonly { field: string; message: string }[]): {
  byField: Partial<Record<VcenterField, string>>;
  elsewhere: string[];
} {
  const byField: Partial<Record<VcenterField, string>> = {};
  const elsewhere: string[] = [];
  for (const { field, message } of fields) {
    const target = formFieldOf(field);
    if (target) byField[target] = byField[target] ? `${byField[target]} ${message}` : message;
    else elsewhere.push(message);
  }
  return { byField, elsewhere };
}
