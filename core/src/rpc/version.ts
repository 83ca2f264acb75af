/** The version of this runtime: what `tars.viewversion` answers and stat reports carry as tarsVersion. */
export const RUNTIME_VERSION = '0.1.0';
