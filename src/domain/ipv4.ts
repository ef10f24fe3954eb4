/** IPv4 addresses as unsigned 32-bit numbers, and CIDR blocks, for guest IP pools (VM networks are IPv4 here). */

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export const parseIpv4 = (text: string): number | null => {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part))) return null;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
};

export const formatIpv4 = (value: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

export interface Ipv4Block {
  /** The network address (host bits zero). */
  network: number;
  prefix: number;
  /** The broadcast address (host bits one). */
  broadcast: number;
}

/** `a.b.c.d/n` with the host bits zero; null otherwise. */
export const parseCidr = (text: string): Ipv4Block | null => {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match) return null;
  const address = parseIpv4(match[1]!);
  const prefix = Number(match[2]);
  if (address === null || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return null;
  return { network: address, prefix, broadcast: address + size - 1 };
};

export const blockContains = (block: Ipv4Block, address: number): boolean =>
  address >= block.network && address <= block.broadcast;
