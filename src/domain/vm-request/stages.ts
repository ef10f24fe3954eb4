/** Provisioning reports these stages strictly in this order. */
export const PROVISIONING_STAGES = ['CLONING', 'CONFIGURING', 'POWERING_ON', 'WAITING_FOR_NETWORK'] as const;
export type ProvisioningStage = (typeof PROVISIONING_STAGES)[number];

export const isProvisioningStage = (value: string): value is ProvisioningStage =>
  (PROVISIONING_STAGES as readonly string[]).includes(value);

/** The only stage that may be reported next: the first one, or the one after the current. */
export const nextProvisioningStage = (current: ProvisioningStage | null): ProvisioningStage | null => {
  if (current === null) return PROVISIONING_STAGES[0];
  return PROVISIONING_STAGES[PROVISIONING_STAGES.indexOf(current) + 1] ?? null;
};
