export { InputError } from './input-error';
export { readNpy, writeNpy } from './npy';
export { VERSION } from './version';
