import { performance } from 'node:perf_hooks';
import { readVmwareConnection } from '../../commands/index.ts';
import { forbidden, invalidFields, isAdmin, notFound, parseVmwarePassword, parseVmwareSettings } from '../../domain/index.ts';
import { isHypervisorError } from '../../provisioning/hypervisor-error.ts';
import { createIpAllocator } from '../../provisioning/ip-allocations.ts';
import { toVsphereSettings } from '../../provisioning/tenant-connection.ts';
import type { VsphereConnectionSettings } from '../../provisioning/vsphere/settings.ts';
import { passwordContext, type SecretBox, SecretUnreadableError } from '../../secrets/index.ts';
import { builder } from '../builder.ts';
import { refuse } from '../errors/classes.ts';
import { requirePrincipal } from '../principal.ts';
import { toSettingsInput, VmwareConnectionInput, type VmwareConnectionTest, VmwareConnectionTestRef } from '../types/vmware-connection.ts';

const TestVmwareConnectionInput = builder.inputType('TestVmwareConnectionInput', {
  description: 'What to test: the saved connection, or settings not saved yet.',
  fields: (t) => ({
    connection: t.field({
      type: VmwareConnectionInput,
      required: false,
      description: 'Unsaved settings to test (the saved password when this leaves it out); absent: the saved connection.',
    }),
  }),
});

builder.mutationField('testVmwareConnection', (t) =>
  t.field({
    type: VmwareConnectionTestRef,
    description:
      'Signs in to the vCenter and looks up every configured object, as provisioning would (tenant admins); writes ' +
      'nothing. A failure of the vCenter is an answer (ok false, with failureCode and failureMessage), not an error. Errors: ' +
      'ValidationError for settings that could not be saved either, NotFoundError when nothing is saved and no ' +
      'connection is given.',
    errors: { union: { name: 'TestVmwareConnectionResult', description: 'The outcome, or why there was nothing to test.' } },
    args: { input: t.arg({ type: TestVmwareConnectionInput, required: true, description: 'What to test.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      if (!isAdmin(principal)) return refuse(forbidden("Only tenant admins manage the tenant's vCenter connection"));
      const vmware = context.vmware;
      if (!vmware) throw new Error('This server has no vCenter services configured');
      const stored = await readVmwareConnection(context.sql, principal.tenantId);
      const started = performance.now();
      const answer = (outcome: Omit<VmwareConnectionTest, 'durationMs'>): VmwareConnectionTest => ({
        ...outcome,
        durationMs: Math.round(performance.now() - started),
      });

      let settings: VsphereConnectionSettings;
      const given = input.connection;
      if (given) {
        const parsed = parseVmwareSettings(toSettingsInput(given), vmware.production);
        const passwordProblem =
          given.password != null ? parseVmwarePassword(given.password) : stored ? null : { field: 'password', message: 'Password is required: none is saved' };
        if (passwordProblem) {
          const others = parsed.ok || parsed.error.code !== 'VALIDATION' ? [] : parsed.error.fields;
          return refuse(invalidFields([passwordProblem, ...others]));
        }
        if (!parsed.ok) return refuse(parsed.error);
        const password = given.password ?? null;
        if (password !== null) settings = toVsphereSettings({ settings: parsed.value }, password);
        else {
          const opened = openStored(vmware.secrets, stored!.passwordSecret, principal.tenantId);
          if (typeof opened !== 'string') return answer(opened);
          settings = toVsphereSettings({ settings: parsed.value }, opened);
        }
      } else {
        if (!stored) return refuse(notFound('No vCenter connection is configured: give one to test, or save one first'));
        const opened = openStored(vmware.secrets, stored.passwordSecret, principal.tenantId);
        if (typeof opened !== 'string') return answer(opened);
        settings = toVsphereSettings(stored, opened);
      }

      const create = await vmware.loadVsphere();
      const adapter = create(settings, { production: vmware.production, ipAllocator: createIpAllocator(context.sql) });
      try {
        await adapter.check({ attempt: 1 });
        return answer({ ok: true, code: null, message: null });
      } catch (error) {
        if (isHypervisorError(error)) return answer({ ok: false, code: error.code, message: error.message });
        return answer({ ok: false, code: 'UNKNOWN', message: (error as Error).message });
      } finally {
        await adapter.close().catch(() => {});
      }
    },
  }),
);

/** The saved password, or the answer saying it cannot be read here (a key missing from DVMM_SECRETS_KEYS). */
const openStored = (
  secrets: SecretBox,
  passwordSecret: string,
  tenantId: string,
): string | Omit<VmwareConnectionTest, 'durationMs'> => {
  try {
    return secrets.decrypt(passwordSecret, passwordContext(tenantId));
  } catch (error) {
    if (!(error instanceof SecretUnreadableError)) throw error;
    return { ok: false, code: null, message: `The saved password cannot be read on this server: ${error.message}` };
  }
};
