// `qint run` writes each output as <name>.npy. Output names are free text in ONNX ("y:0", "a/b", "..", "CON"), so
// they are made into safe file names, and names that end up the same (y:0 and y_0 are both y_0; Y and y are one
// file on macOS and Windows) are told apart instead of one silently overwriting the other.

/** One output's file and why it differs from the output name, if it does. */
export interface OutputFile {
  readonly name: string;
  readonly file: string;
  /** Set when the file name is not simply `<name>.npy`. */
  readonly note?: string;
}

const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
const MAX_STEM = 200;

/** The file stem for an output name: `[A-Za-z0-9._-]` only, no leading dot, no device name, at most 200 characters. */
function safeStem(name: string): string {
  let stem = name.replace(/[^A-Za-z0-9._-]/g, '_');
  // A leading dot would hide the file (or be "." / ".."), and Windows drops trailing dots.
  stem = stem.replace(/^\./, '_').replace(/\.+$/, (dots) => '_'.repeat(dots.length));
  if (stem === '') stem = 'output';
  if (WINDOWS_DEVICES.test(stem)) stem = `_${stem}`;
  return stem.length > MAX_STEM ? stem.slice(0, MAX_STEM) : stem;
}

/**
 * Chooses one distinct, safe file name per output.
 *
 * @param names - the output names, in the model's order
 * @param taken - file names (lower case) that must not be used, e.g. the inputs being read from the same folder
 * @returns one entry per output, with a `note` for each renamed or disambiguated output
 */
export function outputFileNames(names: readonly string[], taken: ReadonlySet<string> = new Set()): OutputFile[] {
  const used = new Set(taken);
  const firstOwner = new Map<string, string>();
  return names.map((name) => {
    const stem = safeStem(name);
    let file = `${stem}.npy`;
    let note: string | undefined = stem === name ? undefined : `not a safe file name`;
    // Compared without case: macOS and Windows file systems do not tell y.npy and Y.npy apart.
    if (used.has(file.toLowerCase())) {
      const clash = firstOwner.get(file.toLowerCase());
      for (let i = 2; used.has(file.toLowerCase()); i++) file = `${stem}_${i}.npy`;
      note = clash !== undefined ? `${stem}.npy is already output "${clash}"` : `${stem}.npy is an input file`;
    }
    used.add(file.toLowerCase());
    if (!firstOwner.has(`${stem}.npy`.toLowerCase())) firstOwner.set(`${stem}.npy`.toLowerCase(), name);
    return note === undefined ? { name, file } : { name, file, note };
  });
}
