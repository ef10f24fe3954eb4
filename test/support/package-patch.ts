/**
 * What a patch in patches/ (applied by patch-package on install) changes: for each file it touches, the lines it
 * adds. Tests check those lines against an installed copy, to tell a patched install from one the patch skipped.
 */
import { readFileSync } from 'node:fs';

export interface PatchedFile {
  /** The path under the package's folder, e.g. `src/queue.js`. */
  path: string;
  /** The lines the patch adds to it, as written (context and removed lines left out). */
  added: string[];
}

export function readPackagePatch(patchFile: string | URL, packageName: string): PatchedFile[] {
  const prefix = `+++ b/node_modules/${packageName}/`;
  const files: PatchedFile[] = [];
  for (const line of readFileSync(patchFile, 'utf8').split('\n')) {
    if (line.startsWith('+++ ')) {
      if (!line.startsWith(prefix)) throw new Error(`the patch touches a file outside ${packageName}: ${line}`);
      files.push({ path: line.slice(prefix.length), added: [] });
    } else if (line.startsWith('+') && files.length > 0) {
      files.at(-1)!.added.push(line.slice(1));
    }
  }
  if (files.length === 0) throw new Error(`${String(patchFile)} changes no file of ${packageName}`);
  return files;
}

/** The patch's added lines that `installed` (a file's text) lacks; empty when the patch is applied to it. */
export function missingLines(file: PatchedFile, installed: string): string[] {
  const lines = new Set(installed.split('\n'));
  return file.added.filter((line) => !lines.has(line));
}
