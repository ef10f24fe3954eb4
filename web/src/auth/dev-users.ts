/** A demo user GET /auth/dev-users offers (development only, on this machine only). */
export interface DevUser {
  id: string;
  label: string;
  token: string;
}

export async function fetchDevUsers(): Promise<DevUser[]> {
  const response = await fetch('/auth/dev-users', { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as { users?: DevUser[]; error?: string };
  if (!response.ok || !body.users) throw new Error(body.error ?? `GET /auth/dev-users answered ${response.status}`);
  return body.users;
}
