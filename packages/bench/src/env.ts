// Imported first by main.ts, before any module that can create Dawn's GPU: the Vulkan loader reads
// VK_ICD_FILENAMES when Dawn creates its instance, so it must be in the environment by then. Where it
// is unset and Chromium's SwiftShader ICD is installed (`apt-get install chromium libvulkan1`), point
// Dawn at it, so a machine without a GPU driver still gets a (software) WebGPU adapter. A value the
// caller set is kept.
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What was done, for a note on stderr once the harness starts. */
export const vulkanIcdNote: string | null = (() => {
  const set = process.env.VK_ICD_FILENAMES;
  if (set) return `VK_ICD_FILENAMES=${set} (from the environment)`;
  if (!existsSync(SWIFTSHADER_ICD)) return null;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return `VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (set by the harness: SwiftShader, a software adapter)`;
})();
