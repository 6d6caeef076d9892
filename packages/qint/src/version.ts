/** The version of the qint facade. */
export const VERSION = '0.1.0';
