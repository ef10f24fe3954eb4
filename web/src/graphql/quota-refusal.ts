import { graphql } from '../gql/index.ts';
import type { QuotaResource } from '../gql/graphql.ts';

/** What a QuotaExceededError tells: which limit, and by how much the request misses it. */
export const QuotaRefusalFragment = graphql(`
  fragment QuotaRefusal on QuotaExceededError {
    resource
    limit
    used
    requested
  }
`);

const UNITS: Record<QuotaResource, { name: string; amount(n: number): string }> = {
  VMS: { name: 'VMs', amount: String },
  VCPUS: { name: 'vCPUs', amount: String },
  RAM_GB: { name: 'GB of RAM', amount: (n) => `${n} GB` },
  STORAGE_GB: { name: 'GB of disk', amount: (n) => `${n} GB` },
};

/** The refusal in figures, e.g. "This would exceed the project's quota: 10 of 10 VMs used, this request needs 1." */
export function quotaExceededMessage(refusal: { resource: QuotaResource; limit: number; used: number; requested: number }): string {
  const unit = UNITS[refusal.resource];
  return (
    `This would exceed the project's quota: ${refusal.used} of ${refusal.limit} ${unit.name} used, ` +
    `this request needs ${unit.amount(refusal.requested)}.`
  );
}
