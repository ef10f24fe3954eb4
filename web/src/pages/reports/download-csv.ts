import { currentSession } from '../../auth/session.ts';

/**
 * Fetches the month's CSV with the session's bearer token (a plain link could not send it) and hands it to the
 * browser as a download. Resolves to null when saved, else to what went wrong in a sentence.
 */
export async function downloadUsageCsv(month: string): Promise<string | null> {
  const token = currentSession()?.token;
  if (!token) return 'You are signed out: sign in again to download.';
  let response: Response;
  try {
    response = await fetch(new URL(`/reports/usage.csv?month=${encodeURIComponent(month)}`, window.location.href), {
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch {
    return 'The server could not be reached. Try again when you are back online.';
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
    return typeof body?.error === 'string' ? body.error : `The download was refused (HTTP ${response.status}).`;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `dvmm-usage-${month}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the file over; revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return null;
}
