/** Version of the code generator, written into every generated header; equals @tars-ts/core's version (tested). */
export const GENERATOR_VERSION = '0.1.0';
