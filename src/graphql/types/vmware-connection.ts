import type { InputFieldBuilder } from '@pothos/core';
import type { StoredVmwareConnection } from '../../commands/index.ts';
import { NAME_MAX, PASSWORD_MAX, URL_MAX, VM_SIZES, type VmSize, type VmwareSettingsInput } from '../../domain/index.ts';
import type { HypervisorErrorCode } from '../../provisioning/hypervisor-error.ts';
import { builder } from '../builder.ts';
import { VmSizeEnum } from './enums.ts';
import { ProvisioningFailureCodeEnum } from './provisioning-failure-code.ts';
import { DateTimeScalar } from './scalars.ts';

type Settings = StoredVmwareConnection['settings'];

const VmwareTemplateRef = builder.objectRef<{ size: VmSize; template: string }>('VmwareTemplate').implement({
  description: 'The template VMs of one size are cloned from.',
  fields: (t) => ({
    size: t.field({ type: VmSizeEnum, description: 'The size.', resolve: (entry) => entry.size }),
    template: t.exposeString('template', { description: 'The template (a VM template by inventory name).' }),
  }),
});

const VmwareIpPoolRef = builder.objectRef<NonNullable<Settings['ipPool']>>('VmwareIpPool').implement({
  description: "Fixed guest addresses from a pool, set through guest customization (one per request, kept until it is deleted).",
  fields: (t) => ({
    cidr: t.exposeString('cidr', { description: 'The pool as an IPv4 CIDR block; its network and broadcast addresses and the gateway are never handed out.' }),
    gateway: t.exposeString('gateway', { description: "The guests' default gateway, inside the pool." }),
    dnsServers: t.exposeStringList('dnsServers', { description: "The guests' DNS servers (IPv4), in order." }),
    dnsDomain: t.exposeString('dnsDomain', { nullable: true, description: "The guests' DNS domain; null: none." }),
  }),
});

const VmwareTlsRef = builder.objectRef<Settings['tls']>('VmwareTls').implement({
  description: "How the vCenter's certificate is checked.",
  fields: (t) => ({
    caPem: t.exposeString('caPem', { nullable: true, description: 'The CA certificate (PEM) the server certificate must chain to; null: the system CAs.' }),
    insecure: t.exposeBoolean('insecure', { description: 'Certificate checks are skipped (never in production).' }),
  }),
});

export const VmwareConnectionRef = builder.objectRef<StoredVmwareConnection>('VmwareConnection').implement({
  description:
    "The tenant's vCenter, where its approved VMs are built. Every setting except the password, which is stored " +
    'encrypted and never returned (passwordSet says one is stored).',
  fields: (t) => ({
    url: t.string({ description: 'The vim25 SDK endpoint (https).', resolve: (c) => c.settings.url }),
    username: t.string({ description: 'The vCenter user DVMM signs in as.', resolve: (c) => c.settings.username }),
    passwordSet: t.boolean({ description: 'A password is stored (always true for a saved connection).', resolve: (c) => c.passwordSecret !== '' }),
    datacenter: t.string({ description: 'The datacenter, by name.', resolve: (c) => c.settings.datacenter }),
    cluster: t.string({ nullable: true, description: 'The cluster VMs run in (its root resource pool); null when a resource pool is given instead.', resolve: (c) => c.settings.cluster }),
    resourcePool: t.string({ nullable: true, description: 'The resource pool VMs run in, by inventory path; null: the cluster\'s root pool.', resolve: (c) => c.settings.resourcePool }),
    datastore: t.string({ description: "The datastore the VMs' disks are placed on.", resolve: (c) => c.settings.datastore }),
    folder: t.string({ description: "The VM folder, relative to the datacenter's vm folder (empty: that folder).", resolve: (c) => c.settings.folder }),
    network: t.string({ description: "The port group the VM's first network card is attached to.", resolve: (c) => c.settings.network }),
    templates: t.field({
      type: [VmwareTemplateRef],
      description: 'The template per size, for the sizes that have their own, in size order.',
      resolve: (c) => VM_SIZES.flatMap((size) => (c.settings.templates[size] ? [{ size, template: c.settings.templates[size] }] : [])),
    }),
    defaultTemplate: t.string({ nullable: true, description: 'The template of sizes without their own (reconfigured to the size); null: every size has one.', resolve: (c) => c.settings.defaultTemplate }),
    ipPool: t.field({ type: VmwareIpPoolRef, nullable: true, description: 'Fixed guest addresses from this pool; null: DHCP.', resolve: (c) => c.settings.ipPool }),
    tls: t.field({ type: VmwareTlsRef, description: 'How the certificate is checked.', resolve: (c) => c.settings.tls }),
    version: t.exposeInt('version', { description: 'The connection\'s version: pass it as expectedVersion to change or remove it.' }),
    updatedAt: t.field({ type: DateTimeScalar, description: 'When it was last changed.', resolve: (c) => c.updatedAt }),
    updatedBy: t.exposeString('updatedBy', { description: 'The user id of the admin who last changed it.' }),
  }),
});

const VmwareTemplateInput = builder.inputType('VmwareTemplateInput', {
  description: 'The template of one size.',
  fields: (t) => ({
    size: t.field({ type: VmSizeEnum, required: true, description: 'The size (each at most once).' }),
    template: t.string({ required: true, description: `The template's inventory name: 1 to ${NAME_MAX} characters.` }),
  }),
});

const VmwareIpPoolInput = builder.inputType('VmwareIpPoolInput', {
  description: 'Fixed guest addresses (omit the pool for DHCP).',
  fields: (t) => ({
    cidr: t.string({ required: true, description: 'An IPv4 CIDR block, /29 or larger, host bits zero (e.g. 10.20.0.0/24).' }),
    gateway: t.string({ required: true, description: 'The default gateway: a host address inside the block.' }),
    dnsServers: t.stringList({ required: false, description: 'Up to 4 DNS servers (IPv4).' }),
    dnsDomain: t.string({ required: false, description: "The guests' DNS domain (e.g. corp.example.com); absent: none." }),
  }),
});

const VmwareTlsInput = builder.inputType('VmwareTlsInput', {
  description: "How the vCenter's certificate is checked; absent: against the system CAs.",
  fields: (t) => ({
    caPem: t.string({ required: false, description: 'A CA certificate (PEM, -----BEGIN CERTIFICATE-----) the server certificate must chain to.' }),
    insecure: t.boolean({ required: false, description: 'Skip certificate checks (self-signed labs). Refused in production.' }),
  }),
});

export const VmwareConnectionInput = builder.inputType('VmwareConnectionInput', {
  description:
    "A tenant's vCenter connection. Names are inventory names, as govc takes them. A ValidationError names every " +
    'invalid field, nested ones as `ipPool.cidr`, `tls.caPem`.',
  fields: (t) => ({
    url: t.string({ required: true, description: `The vim25 SDK endpoint, https only (e.g. https://vcenter.example.com/sdk); at most ${URL_MAX} characters.` }),
    username: t.string({ required: true, description: `The vCenter user: 1 to ${NAME_MAX} characters.` }),
    password: t.string({
      required: false,
      description: `The password (at most ${PASSWORD_MAX} characters): required the first time; absent or null keeps the stored one. Stored encrypted, never returned, never in an event.`,
    }),
    datacenter: nameField(t, 'The datacenter.'),
    cluster: t.string({ required: false, description: 'The cluster VMs run in. A cluster or a resource pool is required.' }),
    resourcePool: t.string({ required: false, description: 'The resource pool VMs run in, by inventory path.' }),
    datastore: nameField(t, "The datastore for the VMs' disks."),
    folder: t.string({ required: false, description: "The VM folder, relative to the datacenter's vm folder; absent or empty: that folder." }),
    network: nameField(t, "The port group of the VM's first network card."),
    templates: t.field({ type: [VmwareTemplateInput], required: false, description: 'A template per size; sizes without one use defaultTemplate.' }),
    defaultTemplate: t.string({ required: false, description: 'The template of sizes without their own; required unless every size has one.' }),
    ipPool: t.field({ type: VmwareIpPoolInput, required: false, description: 'Fixed guest addresses; absent: DHCP.' }),
    tls: t.field({ type: VmwareTlsInput, required: false, description: 'How the certificate is checked; absent: against the system CAs.' }),
  }),
});

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

function nameField(t: InputFieldBuilder<Types, 'InputObject'>, what: string) {
  return t.string({ required: true, description: `${what} 1 to ${NAME_MAX} characters.` });
}

/** The GraphQL input as the domain takes it (the password apart). */
export const toSettingsInput = (input: typeof VmwareConnectionInput.$inferInput): VmwareSettingsInput => ({
  url: input.url,
  username: input.username,
  datacenter: input.datacenter,
  cluster: input.cluster,
  resourcePool: input.resourcePool,
  datastore: input.datastore,
  folder: input.folder,
  network: input.network,
  templates: input.templates?.map((entry) => ({ size: entry.size, template: entry.template })) ?? null,
  defaultTemplate: input.defaultTemplate,
  ipPool: input.ipPool ? { ...input.ipPool } : null,
  tls: input.tls ? { ...input.tls } : null,
});

export interface VmwareConnectionTest {
  ok: boolean;
  code: HypervisorErrorCode | null;
  message: string | null;
  durationMs: number;
}

export const VmwareConnectionTestRef = builder.objectRef<VmwareConnectionTest>('TestVmwareConnectionPayload').implement({
  description:
    'The outcome of testVmwareConnection: whether DVMM could sign in and find every configured object. (failureCode and ' +
    'failureMessage, as on VmRequest, so they never clash with the code and message of the Error members of the union.)',
  fields: (t) => ({
    ok: t.exposeBoolean('ok', { description: 'Signed in, and every object (datacenter, cluster or pool, datastore, folder, network, templates) was found.' }),
    failureCode: t.field({
      type: ProvisioningFailureCodeEnum,
      nullable: true,
      description:
        'Why not, as provisioning would fail (AUTHENTICATION_FAILED, TEMPLATE_NOT_FOUND, CONNECTION_FAILED, …); null when ok, ' +
        'or when the stored password cannot be read on this server (the message says which key it needs).',
      resolve: (test) => test.code,
    }),
    failureMessage: t.exposeString('message', { nullable: true, description: 'What failed, naming the object; null when ok.' }),
    durationMs: t.exposeInt('durationMs', { description: 'How long the test took, in milliseconds.' }),
  }),
});
