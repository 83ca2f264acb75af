export {type GenerateOptions, type GeneratedFile, generate} from './generate.js';
export {generatedBaseName} from './names.js';
export {GENERATOR_VERSION} from './version.js';
export {type ProgramDescriptors, describeProgram} from './descriptors.js';
