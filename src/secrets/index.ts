// Stored secrets (tenants' vCenter passwords): AES-256-GCM under keys from the environment, never in events.
export * from './keyring.ts';
export * from './secret-box.ts';
export * from './config.ts';
export { rotateSecrets, type RotationReport } from './rotate.ts';
export { passwordContext } from './contexts.ts';
