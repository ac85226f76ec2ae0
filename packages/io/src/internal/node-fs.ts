// The file system is imported on first use, so browser bundles of @rnnkit/io never load node:fs.
export async function nodeFs() {
  return import('node:fs/promises');
}

export async function nodePath() {
  return import('node:path');
}
