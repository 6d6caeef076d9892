// The error function lives in @qint/kernels (its JS backend's Gelu primitive needs it); re-exported for the ops here.
export { erf } from '@qint/kernels';
