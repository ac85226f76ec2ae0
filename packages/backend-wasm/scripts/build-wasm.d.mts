/** Whether src/generated/* exist and are newer than every assembly/ source. */
export function upToDate(): boolean;
/** Compiles both variants and writes src/generated/*.ts unless up to date; resolves to whether it wrote. */
export function buildWasm(options?: { force?: boolean }): Promise<boolean>;
/** The generated module texts, compiled now (nothing written): file name → contents. */
export function generate(): Promise<Record<string, string>>;
